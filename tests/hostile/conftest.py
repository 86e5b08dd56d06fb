"""Shared helpers for the hostile-input tests: a publication whose every
plain-text field carries markup, and checks for active markup in HTML."""

from __future__ import annotations

import logging
import re

import pytest
from lxml import html as lxml_html

#: Markup that must show up as text, never act as markup.
X = '<script>alert(1)</script>"><img src=x onerror=alert(2)></script>'
#: The only scripts a page may load: our own static files, empty of text.
STATIC_JS = {"/static/nashr/nashr.js", "/static/comments/comments.js"}


@pytest.fixture(autouse=True)
def _quiet_request_log():
    """Expected 4xx/5xx responses would flood the output with tracebacks."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def reader(client):
    """The test client, answering 500 like a real server instead of raising."""
    client.raise_request_exception = False
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _is_script_url(value: str) -> bool:
    # browsers drop ASCII whitespace and control characters inside a scheme
    cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html"))


def active_markup(content: str | bytes) -> list[str]:
    """Everything in an HTML page that would run script: ``<script>``
    elements other than the JSON-LD block and the theme's own script, ``on*``
    event-handler attributes, ``javascript:`` URLs."""
    doc = lxml_html.document_fromstring(content)
    found = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "script" and not (
            el.get("type") == "application/ld+json" or (el.get("src") in STATIC_JS and not (el.text or "").strip())
        ):
            found.append(lxml_html.tostring(el, encoding="unicode")[:120])
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            elif name.lower() in {"href", "src", "action", "formaction", "xlink:href"} and _is_script_url(value):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def text(doc, xpath: str) -> str:
    """The reader-visible text of the first element matching ``xpath``."""
    matches = doc.xpath(xpath)
    assert matches, f"no element matches {xpath!r}"
    return matches[0].text_content()


def cls(name: str) -> str:
    """XPath predicate: the element has CSS class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def parse(response):
    return lxml_html.document_fromstring(response.content)


@pytest.fixture
def hostile(db):
    """A publication (from ``build_site``) plus one section, author, tag,
    image and article whose every plain-text field contains :data:`X`."""
    from taggit.models import Tag

    from nashr.articles.models import ArticleAuthor, ArticlePage, Author, SectionPage
    from nashr.articles.tests.factories import build_site, make_image

    site = build_site(articles_per_section=1, body_images=0)
    section = SectionPage(title="قسم " + X, intro="تعريف " + X, slug="hostile")
    site["home"].add_child(instance=section)
    section.save_revision().publish()
    image = make_image(
        "عنوان الصورة " + X, alt="بديل " + X, caption="تعليق " + X,
        photographer="مصور " + X, agency="وكالة " + X, distributor="موزع " + X,
    )
    author = Author.objects.create(name="كاتب " + X, bio="نبذة " + X, slug="hostile-author")
    article = ArticlePage(
        title="عنوان " + X, standfirst="خلاصة " + X, lead_image=image, slug="hostile-article",
        source_publisher="ناشر " + X, source_url='https://example.com/?q="><script>alert(3)</script>',
        source_translator="مترجم " + X, source_licence="رخصة " + X,
        body=[
            {"type": "paragraph", "value": "<p>فقرة عادية عن Apple.</p>"},
            {"type": "subheading", "value": "فرعي " + X},
            {"type": "image", "value": {"image": image.pk, "caption": "تعليق خاص " + X}},
            {"type": "pull_quote", "value": {"quote": "اقتباس " + X, "attribution": "قائل " + X}},
            {"type": "block_quote", "value": {"quote": "نص " + X, "attribution": "مصدر " + X}},
            {"type": "related_link", "value": {"title": "رابط " + X, "url": "https://example.com/read"}},
        ],
    )
    section.add_child(instance=article)
    ArticleAuthor.objects.create(page=article, author=author, sort_order=0)
    article.tags.add("وسم " + X)
    article.save()
    article.save_revision().publish()
    article = ArticlePage.objects.get(pk=article.pk)
    tag = Tag.objects.get(name="وسم " + X)
    return {**site, "section": section, "article": article, "author": author, "tag": tag, "image": image}
