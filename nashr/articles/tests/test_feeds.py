"""Feeds, sitemaps and robots.txt, checked the way their consumers read them."""

import feedparser
import pytest
from defusedxml import ElementTree as ET

from .factories import build_site

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def feed_urls(site):
    section = site["sections"][0]
    tag = site["articles"][0].tags.first()
    author = site["authors"][0]
    return [
        "/feed/", "/feed/atom/",
        section.url + "feed/", section.url + "feed/atom/",
        f"/tag/{tag.slug}/feed/", f"/tag/{tag.slug}/feed/atom/",
        f"/author/{author.slug}/feed/", f"/author/{author.slug}/feed/atom/",
    ]


def test_every_feed_is_valid_arabic_with_absolute_links_and_enclosures(client, settings):
    site = build_site(articles_per_section=2)
    for url in feed_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.feed.get("language", "ar").startswith("ar") or "atom" in url
        assert parsed.entries, url
        for entry in parsed.entries:
            assert entry.title.startswith("الرئيس")
            assert entry.link.startswith(settings.SITE_URL + "/"), entry.link
            enclosures = [l for l in entry.get("links", []) if l.get("rel") == "enclosure"]
            assert enclosures and enclosures[0]["href"].startswith("http"), url
            assert int(enclosures[0]["length"]) > 0


def test_feed_lists_only_live_articles_of_its_section(client):
    site = build_site(articles_per_section=2)
    hidden = site["articles"][0]
    hidden.unpublish()
    parsed = feedparser.parse(client.get(site["sections"][1].url + "feed/").content)
    titles = {e.title for e in parsed.entries}
    assert titles == {a.title for a in site["articles"][2:]}
    parsed = feedparser.parse(client.get("/feed/").content)
    assert hidden.title not in {e.title for e in parsed.entries}


def test_sitemap_lists_articles_with_lastmod(client):
    site = build_site(articles_per_section=1)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = {u.find(SM + "loc").text: u for u in root.findall(SM + "url")}
    for article in site["articles"]:
        entry = entries[article.full_url]
        assert entry.find(SM + "lastmod") is not None


def test_news_sitemap_has_only_the_last_two_days(client):
    from datetime import timedelta

    from django.utils import timezone

    from nashr.articles.models import ArticlePage

    site = build_site(articles_per_section=2)
    old = site["articles"][0]
    ArticlePage.objects.filter(pk=old.pk).update(date_published=timezone.now() - timedelta(days=3))
    root = ET.fromstring(client.get("/news-sitemap.xml").content)
    locs = [u.find(SM + "loc").text for u in root.findall(SM + "url")]
    assert old.full_url not in locs
    assert site["articles"][1].full_url in locs
    news = root.find(SM + "url").find(NEWS + "news")
    assert news.find(NEWS + "publication").find(NEWS + "language").text == "ar"


def test_robots_txt_points_to_sitemaps(client, settings):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in body
