"""The issue email rendered from a real article: right-to-left the way mail
clients honour it, CSS inlined, the article's content, absolute links on the
site's own host only, and the per-recipient placeholders."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html
import pytest

from nashr.articles.models import ArticlePage
from nashr.articles.selectors import page_absolute_url
from nashr.articles.tests.factories import build_site, make_image
from nashr.newsletter.message import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE
from nashr.newsletter.models import Issue
from nashr.newsletter.rendering import issue_render

SITE = "https://news.example.com"
pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.NASHR_SITE_NAME = "نشرة الصباح"
    return build_site(articles_per_section=1)


@pytest.fixture
def rich_article(site):
    """An article whose body has every kind of block, links inside and
    outside the site, and HTML that must not reach an email."""
    article = ArticlePage.objects.get(pk=site["articles"][0].pk)
    other = site["articles"][1]
    inner = make_image("صورة السوق", alt="باعة في السوق", caption="السوق القديم بعد الترميم",
                       photographer="ليلى منصور", agency="وكالة الأفق", width=1600, height=900)
    article.body = [
        {"type": "paragraph", "value": (
            f'<p>قال الوزير إن <a linktype="page" id="{other.pk}">المشروع</a> يكتمل في 2027، '
            'بحسب <a href="https://www.reuters.com/world/">Reuters</a>.</p>'
            '<ul><li>البند الأول</li><li>البند الثاني</li></ul>'
            '<p>فقرة<script>alert(1)</script> فيها <img src="https://tracker.example/p.gif"> صورة متتبعة '
            '<a href="javascript:alert(2)">ورابط</a>.</p>')},
        {"type": "subheading", "value": "ماذا بعد الافتتاح؟"},
        {"type": "image", "value": {"image": inner.pk, "caption": ""}},
        {"type": "block_quote", "value": {"quote": "السطر الأول من النص.\nالسطر الثاني.", "attribution": "تقرير الوزارة"}},
        {"type": "pull_quote", "value": {"quote": "المدينة تستعيد سوقها", "attribution": "رئيس البلدية"}},
        {"type": "embed", "value": "https://www.youtube.com/watch?v=abc123"},
        {"type": "related_link", "value": {"title": "تاريخ السوق القديم", "url": f"{SITE}/archive/souq/"}},
    ]
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def render(article, subject=None):
    issue = Issue.objects.create(article=article, subject=subject or article.title)
    html, text = issue_render(issue=issue)
    return html, text, lxml.html.document_fromstring(html)


def test_html_is_right_to_left_on_every_wrapper(site):
    html, _, doc = render(site["articles"][0])
    assert html.startswith("<!DOCTYPE html>")
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"
    assert doc.find("body").get("dir") == "rtl"
    tables, cells = doc.iter("table"), list(doc.iter("td"))
    for element in [*tables, *cells]:
        assert element.get("dir") == "rtl", lxml.html.tostring(element)[:120]
        style = element.get("style", "")
        assert "direction: rtl" in style  # inline: Gmail/Outlook drop <style> and attributes
    for cell in cells:
        if "button-cell" not in cell.get("class", ""):
            assert "text-align: right" in cell.get("style")
    container = doc.find_class("container")[0]
    assert container.get("width") == "600"
    assert "width: 600px" in container.get("style") and "max-width: 100%" in container.get("style")


def test_css_is_inlined_and_only_media_queries_stay_in_style(site):
    _, _, doc = render(site["articles"][0])
    styles = [s.text_content() for s in doc.iter("style")]
    assert len(styles) == 1
    assert "@media (prefers-color-scheme: dark)" in styles[0]
    assert "@media screen and (max-width: 620px)" in styles[0]
    # no ordinary rule left un-inlined
    outside_media = styles[0]
    for block in ("@media (prefers-color-scheme: dark)", "@media screen and (max-width: 620px)"):
        start = outside_media.index(block)
        depth, end = 0, start
        for end in range(start, len(outside_media)):
            depth += {"{": 1, "}": -1}.get(outside_media[end], 0)
            if depth == 0 and outside_media[end] == "}":
                break
        outside_media = outside_media[:start] + outside_media[end + 1:]
    assert "{" not in outside_media
    assert doc.xpath('//meta[@name="color-scheme"]/@content') == ["light dark"]
    headline = doc.find_class("headline")[0]
    assert "font-size: 28px" in headline.get("style")
    assert "Tahoma, 'Segoe UI', 'Geeza Pro', 'Arabic Typesetting', Arial, sans-serif" in doc.find("body").get("style")
    assert not doc.xpath("//link") and "@font-face" not in styles[0] and "@import" not in styles[0]


def test_article_content_with_lead_image_caption_and_credit(site):
    article = site["articles"][0]
    html, text, doc = render(article)
    url = page_absolute_url(article)
    assert doc.find_class("masthead-link")[0].text_content() == "نشرة الصباح"
    assert doc.find_class("headline")[0].text_content() == article.title
    assert doc.find_class("standfirst")[0].text_content() == "خلاصة المقال."
    lead = doc.find_class("lead")[0].find("img")
    rendition = article.lead_image.get_rendition("width-1200")
    assert lead.get("src") == SITE + rendition.url
    assert lead.get("alt") == article.lead_image.alt_text
    assert (int(lead.get("width")), int(lead.get("height"))) == (600, round(rendition.height * 600 / rendition.width))
    caption = doc.find_class("figcaption")[0].text_content()
    assert "سوق الخضار في الصباح الباكر" in caption
    assert "حقوق الصورة: سارة خليل | وكالة الأفق | شبكة الصور" in caption
    button = doc.find_class("button")[0]
    assert button.text_content() == "اقرأ المقال على الموقع"
    assert button.get("href") == url and url.startswith(SITE + "/")
    # Latin runs isolated the way mail clients keep: span dir=ltr, not bdi
    assert '<span dir="ltr">Apple</span>' in html and "<bdi" not in html


def test_full_body_in_both_parts(rich_article):
    html, text, doc = render(rich_article)
    body = doc.find_class("body")[0]
    other_url = page_absolute_url(ArticlePage.objects.exclude(pk=rich_article.pk).get())
    links = {a.text_content(): a.get("href") for a in body.iter("a")}
    assert links["المشروع"].startswith(SITE + "/")  # internal page link made absolute
    assert links["Reuters"] == "https://www.reuters.com/world/"
    assert links["تاريخ السوق القديم"] == f"{SITE}/archive/souq/"
    assert links["شاهده في المقال على الموقع"] == page_absolute_url(rich_article)
    assert [li.text_content() for li in body.iter("li")] == ["البند الأول", "البند الثاني"]
    assert body.find_class("subheading")[0].text_content() == "ماذا بعد الافتتاح؟"
    image = body.find_class("figure")[0].find("img")
    assert image.get("src").startswith(SITE + "/media/") and image.get("alt") == "باعة في السوق"
    assert (image.get("width"), image.get("height")) == ("552", "310")
    assert "السوق القديم بعد الترميم" in body.find_class("figure")[0].text_content()
    assert "ليلى منصور | وكالة الأفق" in body.find_class("figure")[0].text_content()
    quotes = [q.text_content() for q in body.find_class("quote")]
    assert "السطر الأول من النص." in quotes[0] and "— تقرير الوزارة" in quotes[0]
    assert "«المدينة تستعيد سوقها»" in quotes[1]
    note = body.find_class("note")[0]
    assert "youtube.com" in note.text_content() and "font-size: 15px" in note.get("style")
    # nothing executable, nothing loaded from a third party, no tracking pixel
    assert "<script" not in html and "alert(" not in html and "tracker.example" not in html
    assert not doc.xpath("//iframe")
    for src in doc.xpath("//img/@src"):
        assert urlsplit(src).netloc == "news.example.com", src

    # the plain-text part says the same, links written out
    assert rich_article.title in text and "خلاصة المقال." in text
    assert f"قال الوزير إن المشروع ({other_url}) يكتمل في 2027، بحسب Reuters (https://www.reuters.com/world/)." in text
    assert links["المشروع"] == other_url
    assert "• البند الأول" in text and "■ ماذا بعد الافتتاح؟" in text
    assert "«المدينة تستعيد سوقها»\n— رئيس البلدية" in text
    assert "«السطر الأول من النص.\nالسطر الثاني.»\n— تقرير الوزارة" in text
    assert "[صورة: باعة في السوق] السوق القديم بعد الترميم — حقوق الصورة: ليلى منصور | وكالة الأفق" in text
    assert f"اقرأ أيضًا: تاريخ السوق القديم\n{SITE}/archive/souq/" in text
    assert f"اقرأ المقال على الموقع:\n{page_absolute_url(rich_article)}" in text
    assert "alert(" not in text and "<" not in text
    assert "\n\n\n" not in text


def test_placeholders_are_where_the_recipient_links_go(site):
    html, text, doc = render(site["articles"][0])
    footer = doc.find_class("footer")[0]
    links = {a.text_content(): a.get("href") for a in footer.iter("a")}
    assert links["إلغاء الاشتراك"] == PLACEHOLDER_UNSUBSCRIBE
    assert links["إدارة الاشتراك"] == PLACEHOLDER_MANAGE
    assert links["news.example.com"] == SITE + "/"
    assert "لأنك اشتركت في النشرة البريدية لموقع" in footer.text_content()
    for part in (html, text):
        assert part.count(PLACEHOLDER_UNSUBSCRIBE) == 1 and part.count(PLACEHOLDER_MANAGE) == 1
    assert f"إلغاء الاشتراك:\n{PLACEHOLDER_UNSUBSCRIBE}" in text
    assert f"إدارة الاشتراك:\n{PLACEHOLDER_MANAGE}" in text


def test_an_issue_without_article_cannot_be_rendered(site):
    issue = Issue.objects.create(subject="عدد بلا مقال")
    with pytest.raises(ValueError, match="no article"):
        issue_render(issue=issue)
