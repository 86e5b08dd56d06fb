"""Plain-text fields carrying markup (titles, standfirsts, tags, authors,
captions, credits, alt text, intros, quotes, sources) on every reader page,
in the JSON-LD block, in meta tags, in feeds and in sitemaps."""

import json

import feedparser
import pytest
from defusedxml import ElementTree
from lxml import html as lxml_html

from .conftest import X, active_markup, cls, parse, text

pytestmark = pytest.mark.django_db


def _urls(h):
    return {
        "home": "/",
        "section": h["section"].url,
        "article": h["article"].url,
        "tag": f"/tag/{h['tag'].slug}/",
        "author": f"/author/{h['author'].slug}/",
    }


@pytest.mark.parametrize("page", ["home", "section", "article", "tag", "author"])
def test_hostile_plain_text_is_inert_on_every_page(reader, hostile, page):
    response = reader.get(_urls(hostile)[page])
    assert response.status_code == 200
    assert active_markup(response.content) == []


def test_article_shows_every_hostile_field_as_typed(reader, hostile):
    a = hostile["article"]
    doc = parse(reader.get(a.url))
    assert text(doc, "//h1") == a.title
    assert text(doc, f"//p[{cls('article__standfirst')}]") == a.standfirst
    assert text(doc, f"//p[{cls('byline')}]//a") == hostile["author"].name
    assert text(doc, f"//figure[{cls('lead-figure')}]//span[{cls('caption')}]") == "تعليق " + X
    assert text(doc, f"//figure[{cls('lead-figure')}]//span[{cls('credit')}]").endswith(
        f"مصور {X} | وكالة {X} | موزع {X}"
    )
    assert doc.xpath(f"//img[{cls('lead-figure__img')}]/@alt") == ["بديل " + X]
    assert text(doc, f"//h2[{cls('subheading')}]") == "فرعي " + X
    assert text(doc, f"//figure[{cls('figure')}]//span[{cls('caption')}]") == "تعليق خاص " + X
    assert text(doc, f"//figure[{cls('pull-quote')}]//blockquote") == "اقتباس " + X
    assert text(doc, f"//figure[{cls('block-quote')}]//blockquote") == "نص " + X
    assert text(doc, f"//aside[{cls('related-link')}]/a") == "رابط " + X
    assert text(doc, f"//ul[{cls('tags')}]//a") == "وسم " + X
    assert text(doc, f"//div[{cls('author-box')}]//p[2]") == "نبذة " + X
    note = text(doc, f"//aside[{cls('source-note')}]")
    for part in ("ناشر " + X, "مترجم " + X, "رخصة " + X):
        assert part in note
    assert doc.xpath(f"//aside[{cls('source-note')}]//a/@href") == [a.source_url]


def test_article_meta_tags_carry_hostile_text_as_attribute_values(reader, hostile):
    a = hostile["article"]
    doc = parse(reader.get(a.url))
    assert doc.xpath("//meta[@property='og:title']/@content") == [a.title]
    assert doc.xpath("//meta[@name='twitter:title']/@content") == [a.title]
    assert doc.xpath("//meta[@name='description']/@content") == [a.standfirst]
    assert doc.xpath("//meta[@property='og:image:alt']/@content") == ["بديل " + X]
    assert doc.xpath("//meta[@property='article:tag']/@content") == ["وسم " + X]
    assert doc.xpath("//meta[@property='article:section']/@content") == [hostile["section"].title]
    assert text(doc, "//title").startswith(a.title)


def test_json_ld_is_one_valid_block_with_exact_values(reader, hostile):
    a = hostile["article"]
    doc = parse(reader.get(a.url))
    blocks = doc.xpath("//script[@type='application/ld+json']")
    assert len(blocks) == 1
    data = json.loads(blocks[0].text)
    assert data["headline"] == a.title[:110]
    assert data["description"] == a.standfirst
    assert data["author"][0]["name"] == hostile["author"].name
    assert "</script" not in blocks[0].text.lower()


def test_listing_pages_show_hostile_names_as_typed(reader, hostile):
    urls = _urls(hostile)
    doc = parse(reader.get(urls["section"]))
    assert text(doc, "//h1") == hostile["section"].title
    assert text(doc, f"//p[{cls('listing-header__intro')}]") == hostile["section"].intro
    assert doc.xpath("//meta[@name='description']/@content") == [hostile["section"].intro]
    doc = parse(reader.get(urls["tag"]))
    assert text(doc, "//h1") == hostile["tag"].name
    doc = parse(reader.get(urls["author"]))
    assert text(doc, "//h1") == hostile["author"].name
    assert text(doc, f"//p[{cls('listing-header__intro')}]") == hostile["author"].bio
    doc = parse(reader.get(urls["home"]))
    titles = [el.text_content() for el in doc.xpath(f"//*[{cls('card__title')}]")]
    assert hostile["article"].title in titles
    nav = [el.text_content() for el in doc.xpath("//nav[@class='site-nav']//a")]
    assert hostile["section"].title in nav


FEEDS = ["site-rss", "site-atom", "section-rss", "section-atom", "tag-rss", "tag-atom", "author-rss", "author-atom"]


def feed_url(h, name: str) -> str:
    tag, author, section = h["tag"].slug, h["author"].slug, h["section"].url
    return {
        "site-rss": "/feed/", "site-atom": "/feed/atom/",
        "section-rss": section + "feed/", "section-atom": section + "feed/atom/",
        "tag-rss": f"/tag/{tag}/feed/", "tag-atom": f"/tag/{tag}/feed/atom/",
        "author-rss": f"/author/{author}/feed/", "author-atom": f"/author/{author}/feed/atom/",
    }[name]


@pytest.mark.parametrize("feed", FEEDS)
def test_feeds_stay_well_formed_with_exact_titles(reader, hostile, feed):
    url = feed_url(hostile, feed)
    response = reader.get(url)
    assert response.status_code == 200
    ElementTree.fromstring(response.content)  # raises if not well-formed
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [entry.title for entry in feed.entries]
    assert hostile["article"].title in titles
    entry = feed.entries[titles.index(hostile["article"].title)]
    assert entry.author == hostile["author"].name
    assert [t.term for t in entry.tags] == [hostile["tag"].name]


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_summary_shows_plain_text_standfirst_as_text(reader, hostile, feed):
    """FINDING: a standfirst is plain text, but RSS <description> and Atom
    <summary type="html"> are HTML to a feed reader. The standfirst goes in
    unescaped for HTML, so a reader renders its markup: here an
    ``<img src=x>`` (feedparser, like most readers, sanitises away the
    script but keeps the image; a less careful reader runs it)."""
    url = feed_url(hostile, feed)
    feed = feedparser.parse(reader.get(url).content)
    entry = next(e for e in feed.entries if e.title == hostile["article"].title)
    shown = lxml_html.fragment_fromstring(entry.summary, create_parent="div")
    assert shown.xpath("//img") == []
    assert shown.text_content() == hostile["article"].standfirst


def test_sitemaps_stay_well_formed(reader, hostile):
    for url in ("/sitemap.xml", "/news-sitemap.xml"):
        response = reader.get(url)
        assert response.status_code == 200
        ElementTree.fromstring(response.content)
    root = ElementTree.fromstring(reader.get("/news-sitemap.xml").content)
    ns = {"n": "http://www.google.com/schemas/sitemap-news/0.9"}
    assert hostile["article"].title in [t.text for t in root.iterfind(".//n:title", ns)]


def test_very_long_hostile_fields_render_whole_and_inert(reader, hostile):
    from nashr.articles.models import ArticlePage

    a = hostile["article"]
    a.title = (X * 10)[:255]
    a.standfirst = (X + " Apple ") * 8
    a.standfirst = a.standfirst[:600]
    a.save_revision().publish()
    author = hostile["author"]
    author.bio = ("نبذة Apple iOS 18 " + X) * 2000  # ~150 KB
    author.save()
    a = ArticlePage.objects.get(pk=a.pk)
    response = reader.get(a.url)
    assert response.status_code == 200
    assert active_markup(response.content) == []
    doc = parse(response)
    assert text(doc, "//h1") == a.title
    assert text(doc, f"//p[{cls('article__standfirst')}]") == a.standfirst
    response = reader.get(f"/author/{author.slug}/")
    assert response.status_code == 200
    assert text(parse(response), f"//p[{cls('listing-header__intro')}]") == author.bio
