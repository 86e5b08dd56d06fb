"""Invisible characters in plain-text fields: C0 control characters (a
vertical tab is what Word puts in for Shift+Enter) and Unicode bidi
overrides (U+202E), typed, pasted, or arriving in a photo's IPTC metadata."""

import feedparser
import pytest
from defusedxml import ElementTree

from nashr.articles.models import ArticleAuthor, Author
from nashr.articles.tests.factories import build_site, jpeg_bytes, make_image

from .conftest import cls, parse

pytestmark = pytest.mark.django_db

FEEDS = ["/feed/", "/feed/atom/", "{section}feed/", "{section}feed/atom/", "/tag/وسم-0/feed/",
         "/author/كاتب-رقم-1/feed/"]


@pytest.fixture
def word_pasted():
    """An article whose title and standfirst were pasted from Word."""
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    article.title = "وزير المالية يعلن الميزانية\x0bالجديدة"
    article.standfirst = "تفاصيل\x0cالميزانية"
    article.save_revision().publish()
    return {**site, "article": article}


def test_article_page_renders_with_control_characters(reader, word_pasted):
    response = reader.get(word_pasted["article"].url)
    assert response.status_code == 200
    assert "الميزانية" in parse(response).xpath("string(//h1)")


@pytest.mark.parametrize(
    "template", FEEDS, ids=["site-rss", "site-atom", "section-rss", "section-atom", "tag-rss", "author-rss"]
)
def test_feeds_survive_control_characters(reader, word_pasted, template):
    """FINDING: Django's feed writer refuses C0 control characters
    (UnserializableContentError), so one article with a vertical tab in its
    title takes every feed it appears in down with a 500."""
    url = template.format(section=word_pasted["sections"][0].url)
    response = reader.get(url)
    assert response.status_code == 200
    ElementTree.fromstring(response.content)
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert any("الميزانية" in entry.title for entry in feed.entries)


def test_news_sitemap_stays_well_formed_with_control_characters(reader, word_pasted):
    """FINDING: the Google News sitemap is a template; a control character in
    a title is written as is, which is not well-formed XML 1.0, so the
    whole sitemap is rejected by parsers."""
    response = reader.get("/news-sitemap.xml")
    assert response.status_code == 200
    ElementTree.fromstring(response.content)


# --- bidi overrides ----------------------------------------------------------

_OPENERS = set("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO
_PDF = "\u202c"


def _unterminated(el) -> int:
    """Embeddings/overrides opened in ``el``'s text and left open at its end.
    Text inside a ``<bdi>`` or an element with ``dir`` is skipped: both are
    isolates (HTML rendering, "Bidirectional text"), which close whatever
    was opened inside them."""
    depth = 0
    for ch in _outside_isolates(el):
        if ch in _OPENERS:
            depth += 1
        elif ch == _PDF and depth:
            depth -= 1
    return depth


def _outside_isolates(el) -> str:
    out = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag != "bdi" and not child.get("dir"):
            out.append(_outside_isolates(child))
        out.append(child.tail or "")
    return "".join(out)


def test_bidi_override_in_one_author_name_does_not_reverse_the_next(reader):
    """FINDING: an unterminated U+202E (RIGHT-TO-LEFT OVERRIDE) in the first
    author's name is printed as is inside the byline paragraph, so it
    overrides everything after it up to the end of the paragraph: the
    second author's name is displayed reversed."""
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    first = Author.objects.create(name="ليلى\u202e", slug="layla")
    second = Author.objects.create(name="Nadia Karim", slug="nadia")
    article.authors.all().delete()
    ArticleAuthor.objects.create(page=article, author=first, sort_order=0)
    ArticleAuthor.objects.create(page=article, author=second, sort_order=1)
    doc = parse(reader.get(article.url))
    byline = doc.xpath(f"//p[{cls('byline')}]")[0]
    assert "Nadia Karim" in byline.text_content()
    assert _unterminated(byline) == 0


def test_bidi_override_in_iptc_credit_does_not_reverse_the_agency(reader):
    """FINDING: the same through an agency photo: the IPTC By-line carries a
    U+202E, the upload prefills the credit from it, and the credit line
    ``photographer | agency`` then shows the agency name reversed."""
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    image = make_image("وارد", data=jpeg_bytes(iptc={80: "Sami\u202e", 110: "Agence Nord"}))
    assert image.credit_photographer == "Sami\u202e"  # prefilled from IPTC
    article.lead_image = image
    article.save_revision().publish()
    doc = parse(reader.get(article.url))
    caption = doc.xpath(f"//figure[{cls('lead-figure')}]//figcaption")[0]
    assert "Agence Nord" in caption.text_content()
    assert _unterminated(caption) == 0


def test_bidi_override_in_title_does_not_reverse_the_site_name_in_the_tab(reader):
    """FINDING: ``<title>`` is "article title — site name"; an unterminated
    override in the title flips the site name in the browser tab and in
    bookmarks. ``<title>`` cannot hold a ``<bdi>``, so the character has to
    be dropped or closed."""
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    article.title = "خبر \u202eعاجل"
    article.save_revision().publish()
    doc = parse(reader.get(article.url))
    title = doc.xpath("//title")[0]
    assert "عاجل" in title.text_content()
    assert _unterminated(title) == 0
