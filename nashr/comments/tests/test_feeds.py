"""Comment feeds: valid RSS 2.0 (feedparser, bozo 0) for the site and per
article, only approved comments of live articles, names but never emails."""

import feedparser
import pytest

from nashr.comments.models import Comment

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_site_and_article_feeds(client, site, approved, submit, settings):
    first, second = site["articles"][0], site["articles"][1]
    a = approved(target=first, body="رأيي في المقال https://example.org/x", author_name="سارة")
    b = approved(target=second, body="تعليق على المقال الثاني", author_email="b@example.org", author_name="Omar")
    submit(target=first, body="معلّق لا يظهر", author_email="c@example.org")
    feed = parse(client.get("/comments/feed/"))
    assert feed.feed.language == "ar"
    assert [e.link for e in feed.entries] == [
        f"{settings.SITE_URL}/p/{second.pk}/#comment-{b.pk}", f"{settings.SITE_URL}/p/{first.pk}/#comment-{a.pk}"]
    entry = feed.entries[1]
    assert entry.author == "سارة" and first.title in entry.title
    assert 'rel="nofollow ugc noopener"' in entry.summary
    per_article = parse(client.get(f"/comments/feed/{first.pk}/"))
    assert [e.link.rsplit("-", 1)[1] for e in per_article.entries] == [str(a.pk)]
    assert first.title in per_article.feed.title
    assert "معلّق لا يظهر" not in client.get("/comments/feed/").content.decode()


def test_article_feed_404s(client, site):
    assert client.get("/comments/feed/999999/").status_code == 404
    article = site["articles"][0]
    article.unpublish()
    assert client.get(f"/comments/feed/{article.pk}/").status_code == 404


def test_comments_of_unpublished_articles_leave_the_site_feed(client, site, approved):
    article = site["articles"][0]
    approved(target=article, body="على مقال سيُسحب")
    article.unpublish()
    assert parse(client.get("/comments/feed/")).entries == []
    assert Comment.objects.count() == 1


def test_article_page_announces_its_comment_feed(client, site, approved, settings):
    """Feed readers find the article's comment feed from the page's <head>."""
    import lxml.html

    article = site["articles"][0]
    approved(target=article, body="تعليق للمتابعة", author_name="سارة")
    doc = lxml.html.document_fromstring(client.get(article.url).content)
    (link,) = doc.xpath("//head/link[@rel='alternate'][contains(@href, '/comments/feed/')]")
    assert link.get("type") == "application/rss+xml"
    assert link.get("title") == f"تعليقات: {article.title}"
    href = link.get("href")
    assert href == f"{settings.SITE_URL}/comments/feed/{article.pk}/"
    feed = parse(client.get(href.removeprefix(settings.SITE_URL)))
    assert [e.summary for e in feed.entries] and "تعليق للمتابعة" in feed.entries[0].summary
