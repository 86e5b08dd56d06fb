"""Attacks on the article page's fragment cache and the per-process home
page used to route article-shaped paths: a reader must never get, from a
cached part, what a fresh render would not show them."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from nashr.articles.models import ArticlePage

from .factories import build_site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("where", ["home", "section", "article"])
def test_a_login_restriction_added_after_the_page_was_cached_holds_at_once(client, where):
    article = build_site(articles_per_section=1)["articles"][0]
    assert client.get(article.url).status_code == 200  # fragments and home page cached
    assert client.get(article.url).status_code == 200
    page = ArticlePage.objects.get(pk=article.pk)
    target = {"home": page.get_parent().get_parent(), "section": page.get_parent(), "article": page}[where]
    PageViewRestriction.objects.create(page=target, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(article.url)
    assert response.status_code == 302
    assert page.title not in response.content.decode()


def test_a_section_renamed_moves_its_articles_urls_in_nav_and_kicker(client):
    article = build_site(articles_per_section=1)["articles"][0]
    client.get(article.url)
    section = ArticlePage.objects.get(pk=article.pk).get_parent().specific
    section.slug = "renamed-section"
    section.title = "قسم بعنوان جديد"
    section.save_revision().publish()
    fresh = ArticlePage.objects.get(pk=article.pk)
    assert "/renamed-section/" in fresh.url
    html = client.get(fresh.url).content.decode()
    assert 'href="/renamed-section/"' in html and "قسم بعنوان جديد" in html
    assert client.get(article.url).status_code == 404
