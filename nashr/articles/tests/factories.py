"""Builders for tests: real images (Pillow-made JPEGs, optionally carrying
IPTC/XMP metadata) and a small publication in the real page tree."""

from __future__ import annotations

import io
import struct
from datetime import timedelta

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image

from nashr.articles.images import NewsImage


def jpeg_bytes(width: int = 800, height: int = 500, *, color=(30, 110, 120), iptc: dict | None = None,
               xmp: str | None = None) -> bytes:
    """A JPEG of the given size; ``iptc`` maps IIM dataset numbers of record 2
    (80 By-line, 110 Credit, 115 Source, 120 Caption) to text, written as a
    Photoshop APP13 "8BIM" resource 0x0404, UTF-8 with the ESC % G marker."""
    buf = io.BytesIO()
    kwargs = {}
    if xmp is not None:
        kwargs["xmp"] = xmp.encode("utf-8")
    Image.new("RGB", (width, height), color).save(buf, "JPEG", quality=80, **kwargs)
    data = buf.getvalue()
    if iptc:
        records = b"\x1c\x01\x5a\x00\x03\x1b\x25\x47"  # 1:90 coded character set = UTF-8
        for dataset, text in iptc.items():
            value = text.encode("utf-8")
            records += b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(value)) + value
        if len(records) % 2:
            records += b"\x00"
        resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(records)) + records
        payload = b"Photoshop 3.0\x00" + resource
        segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
        data = data[:2] + segment + data[2:]
    return data


def make_image(title: str = "صورة", *, alt: str = "وصف الصورة", caption: str = "",
               photographer: str = "", agency: str = "", distributor: str = "",
               width: int = 800, height: int = 500, data: bytes | None = None) -> NewsImage:
    data = data or jpeg_bytes(width, height)
    image = NewsImage(
        title=title, description=alt, caption=caption, credit_photographer=photographer,
        credit_agency=agency, credit_distributor=distributor,
        file=ImageFile(io.BytesIO(data), name="photo.jpg"),
    )
    image.save()
    return image


def build_site(*, articles_per_section: int = 3, tags_per_article: int = 2, authors_per_article: int = 1,
               body_images: int = 1):
    """Home > 2 sections > N live articles each, with authors, tags, a lead
    image with caption and credit, and ``body_images`` in-body photos.
    Returns a dict with ``home``, ``sections``, ``articles``, ``authors``."""
    from nashr.articles.models import ArticleAuthor, ArticlePage, Author, SectionPage
    from nashr.site.demo.loader import site_ensure_home

    home = site_ensure_home(site_name="نشرة الاختبار")
    authors = [Author.objects.create(name=f"كاتب رقم {i + 1}", bio="صحفي يكتب عن المدن.",
                                     photo=make_image(f"صورة الكاتب {i + 1}", width=300, height=300))
               for i in range(max(authors_per_article, 2))]
    sections = []
    articles = []
    now = timezone.now()
    for s, title in enumerate(["اقتصاد", "ثقافة"]):
        section = SectionPage(title=title, intro=f"أخبار {title}")
        home.add_child(instance=section)
        section.save_revision().publish()
        sections.append(section)
        for n in range(articles_per_section):
            lead = make_image(f"صورة {s}-{n}", caption="سوق الخضار في الصباح الباكر",
                              photographer="سارة خليل", agency="وكالة الأفق", distributor="شبكة الصور")
            body = [{"type": "paragraph", "value": "<p>فقرة أولى عن شركة Apple ونظام iOS 18 في المدينة.</p>"},
                    {"type": "subheading", "value": "عنوان فرعي"}]
            for b in range(body_images):
                img = make_image(f"صورة داخلية {b}", caption=f"تعليق داخلي {b}", photographer="علي حسن")
                body.append({"type": "image", "value": {"image": img.pk, "caption": ""}})
            body.append({"type": "pull_quote", "value": {"quote": "الكلمة مسؤولية", "attribution": "محررة"}})
            article = ArticlePage(title=f"الرئيسُ يزورُ المدينةَ رقم {s}{n}", standfirst="خلاصة المقال.",
                                  lead_image=lead, body=body)
            section.add_child(instance=article)
            for order, author in enumerate(authors[:authors_per_article]):
                ArticleAuthor.objects.create(page=article, author=author, sort_order=order)
            article.tags.add(*[f"وسم {t}" for t in range(tags_per_article)])
            article.save()
            article.save_revision().publish()
            published = now - timedelta(hours=s * 10 + n + 1)
            ArticlePage.objects.filter(pk=article.pk).update(date_published=published,
                                                             first_published_at=published)
            articles.append(ArticlePage.objects.get(pk=article.pk))
    return {"home": home, "sections": sections, "articles": articles, "authors": authors}


def republish(article, **changes):
    """Set ``changes`` (field name → value) on the live article and publish
    a new revision, as an editor's save and publish do; returns the article
    read back from the database."""
    from nashr.articles.models import ArticlePage

    page = ArticlePage.objects.get(pk=article.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)
