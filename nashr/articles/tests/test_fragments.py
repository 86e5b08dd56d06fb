"""The article page's fragment cache (nashr.articles.fragments): what a
reader gets is the same with it and without it, a new revision shows at once,
the gate's two versions never mix, and previews stay out of it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nashr.articles.models import ArticlePage, Author

from .factories import build_site, republish

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200
    # the comment form's token is a signed render time: new on every request
    return re.sub(r'name="token" value="[^"]*"', 'name="token" value=""', response.content.decode())


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        html = _html(client.get(url))
    return len(ctx.captured_queries), html


def test_the_cached_page_is_the_page_without_the_cache(client, settings):
    article = build_site(articles_per_section=1, authors_per_article=2, body_images=2)["articles"][0]
    settings.NASHR_FRAGMENT_CACHE_SECONDS = 0
    client.get(article.url)  # renditions made
    uncached = _html(client.get(article.url))
    settings.NASHR_FRAGMENT_CACHE_SECONDS = 300
    cold_queries, cold = _queries(client, article.url)
    warm_queries, warm = _queries(client, article.url)
    assert cold == uncached
    assert warm == uncached
    # the warm request read the fragments instead of the byline, tags, lead
    # image and related articles: the cache was really used
    assert warm_queries < cold_queries
    assert "كاتب رقم 2" in warm and "وسم 1" in warm and 'type="application/ld+json"' in warm


def test_no_fragment_is_stored_when_the_cache_is_off(client, settings):
    settings.NASHR_FRAGMENT_CACHE_SECONDS = 0
    article = build_site(articles_per_section=1)["articles"][0]
    caches["fragments"].clear()
    client.get(article.url)
    client.get(article.url)
    assert _fragment_keys() == []


def _fragment_keys() -> list[str]:
    """Keys held by the in-process fragment cache (LocMemCache in tests)."""
    return list(getattr(caches["fragments"], "_cache", {}).keys())


def test_a_republished_article_shows_its_new_text_at_once(client):
    article = build_site(articles_per_section=1)["articles"][0]
    client.get(article.url)
    assert "عنوان فرعي" in _html(client.get(article.url))
    body = [{"type": "paragraph", "value": "<p>نص جديد بعد التعديل.</p>"},
            {"type": "subheading", "value": "عنوان فرعي مختلف"}]
    article = republish(article, title="عنوان معدّل", standfirst="خلاصة معدّلة.", body=body)
    html = _html(client.get(article.url))
    assert "نص جديد بعد التعديل." in html and "عنوان فرعي مختلف" in html
    assert "عنوان معدّل" in html and "خلاصة معدّلة." in html
    assert "فقرة أولى عن شركة" not in html


def test_a_change_saved_without_a_revision_shows_at_once(client):
    """Imports and scripts may save a page without publishing a revision;
    the key holds a digest of the stored fields, not only the revision."""
    article = build_site(articles_per_section=1)["articles"][0]
    client.get(article.url)
    ArticlePage.objects.filter(pk=article.pk).update(standfirst="خلاصة حفظت مباشرة.")
    assert "خلاصة حفظت مباشرة." in _html(client.get(article.url))


def test_an_author_renamed_shows_at_once_in_the_byline(client):
    article = build_site(articles_per_section=1)["articles"][0]
    assert "كاتب رقم 1" in _html(client.get(article.url))
    author = Author.objects.get(name="كاتب رقم 1")
    author.name = "كاتبة باسم جديد"
    author.save()
    html = _html(client.get(article.url))
    assert "كاتبة باسم جديد" in html and "كاتب رقم 1" not in html


def test_an_unpublished_article_is_gone_at_once(client):
    article = build_site(articles_per_section=1)["articles"][0]
    assert client.get(article.url).status_code == 200
    client.get(article.url)
    ArticlePage.objects.get(pk=article.pk).unpublish()
    assert client.get(article.url).status_code == 404
    assert client.get(f"/p/{article.pk}/").status_code == 404


def test_the_preview_never_reads_or_fills_the_cache(client):
    article = build_site(articles_per_section=1)["articles"][0]
    live_html = _html(client.get(article.url))
    keys_before = sorted(_fragment_keys())
    assert keys_before  # the live page filled it

    draft = ArticlePage.objects.get(pk=article.pk)
    draft.title = "عنوان المسودة"
    draft.body = [{"type": "paragraph", "value": "<p>نص المسودة فقط.</p>"}]
    response = draft.make_preview_request()
    preview = response.content.decode()
    assert "عنوان المسودة" in preview and "نص المسودة فقط." in preview
    assert "فقرة أولى عن شركة" not in preview  # not the cached live body
    assert sorted(_fragment_keys()) == keys_before  # nothing stored
    # and the live page still shows the published text
    assert _html(client.get(article.url)) == live_html


def test_the_preview_of_an_unchanged_article_renders_without_the_cache(client, monkeypatch):
    article = build_site(articles_per_section=1)["articles"][0]
    client.get(article.url)
    calls = []
    real_get_many = caches["fragments"].get_many
    monkeypatch.setattr(caches["fragments"], "get_many", lambda keys: calls.append(keys) or real_get_many(keys))
    ArticlePage.objects.get(pk=article.pk).make_preview_request()
    assert calls == []
    client.get(article.url)
    assert len(calls) == 1


@pytest.fixture
def gated_article(settings):
    from nashr.members.tests.test_leaks import _body, _publish

    settings.NASHR_GATE_FREE_BLOCKS = 3
    site = build_site(articles_per_section=1, body_images=0)
    return _publish(site["sections"][0], title="تحقيق للمشتركين", standfirst="خلاصة للجميع.",
                    body=_body("QZF2024"), access="members", author=site["authors"][0], tags=["وثائق"])


def _member_client() -> Client:
    from nashr.members.tests.test_leaks import _member

    client = Client()
    client.force_login(_member().user, backend="nashr.members.backends.MemberTokenBackend")
    return client


def test_member_first_then_anonymous_reader_gets_the_teaser(gated_article):
    member = _member_client()
    for _ in range(2):  # cold, then from the cache
        html = _html(member.get(gated_article.url))
        assert "QZF2024" in html and "article__gated gate" not in html
    for _ in range(2):
        html = _html(Client().get(gated_article.url))
        assert "QZF2024" not in html and "article__gated gate" in html


def test_anonymous_reader_first_then_member_gets_the_full_text(gated_article):
    for _ in range(2):
        html = _html(Client().get(gated_article.url))
        assert "QZF2024" not in html and "article__gated gate" in html
    member = _member_client()
    for _ in range(2):
        html = _html(member.get(gated_article.url))
        assert "QZF2024" in html and "article__gated gate" not in html
    # and the anonymous reader, again after the member
    assert "QZF2024" not in _html(Client().get(gated_article.url))


def test_an_article_that_becomes_members_only_is_gated_at_once(client):
    article = build_site(articles_per_section=1)["articles"][0]
    html = _html(client.get(article.url))
    assert "عنوان فرعي" in html and "article__gated gate" not in html
    republish(article, access="members")
    html = _html(client.get(article.url))
    assert "article__gated gate" in html
