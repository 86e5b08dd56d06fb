"""Article cards as light rows (nashr.articles.cards) answer what the page
would: the same fields, publication date and URL as Wagtail gives for the
page (also when Wagtail must be asked); and the article page reads its body
images together with its lead image and byline photos."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from nashr.articles.cards import ArticleCard, article_cards_cached
from nashr.articles.models import ArticlePage

from .factories import build_site

pytestmark = pytest.mark.django_db


def _cards(ids):
    return article_cards_cached(
        ArticlePage, ("test_cards", len(ids)),
        lambda *pks: ArticlePage.objects.filter(pk__in=list(pks)).only(
            "id", "title", "standfirst", "url_path", "path", "date_published", "first_published_at",
            "lead_image_id").order_by("pk"),
        *ids, alias="default")


def test_card_has_the_pages_fields_date_and_url():
    site = build_site(articles_per_section=2, body_images=0, tags_per_article=1)
    pages = sorted(site["articles"], key=lambda a: a.pk)
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as ctx:
        cards = _cards([p.pk for p in pages])
    assert len(ctx.captured_queries) == 1
    assert all(type(card) is ArticleCard for card in cards)
    for card, page in zip(cards, pages):
        assert (card.pk, card.title, card.standfirst, card.url_path, card.path, card.lead_image_id) == (
            page.pk, page.title, page.standfirst, page.url_path, page.path, page.lead_image_id)
        assert card.published == page.published
        assert card.url == page.url and card.get_url(request) == page.get_url(request)
        assert card.url.startswith("/") and card.url.endswith("/")


def test_card_url_asks_wagtail_when_urls_are_not_plain(settings):
    site = build_site(articles_per_section=1, body_images=0, tags_per_article=1)
    page = site["articles"][0]
    [card] = _cards([page.pk])
    settings.WAGTAIL_APPEND_SLASH = False
    expected = ArticlePage.objects.get(pk=page.pk).url
    with CaptureQueriesContext(connection) as ctx:
        assert card.url == expected
    assert any('FROM "articles_articlepage"' in q["sql"] for q in ctx.captured_queries), "Wagtail was asked"


def test_body_images_are_read_with_the_lead_image(settings):
    settings.NASHR_FRAGMENT_CACHE_SECONDS = 0
    site = build_site(articles_per_section=1, body_images=2, tags_per_article=1)
    article = site["articles"][0]
    client = Client()
    assert client.get(article.url).status_code == 200  # renditions made on first view
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(article.url).content.decode()
    image_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "articles_newsimage"' in q["sql"]]
    rendition_reads = [q["sql"] for q in ctx.captured_queries
                       if 'FROM "articles_newsrendition"' in q["sql"] and "related" not in q["sql"]]
    assert len(image_reads) == 1 and len(rendition_reads) == 1
    assert html.count('<figure class="figure">') == 2 and "lead-figure__img" in html
