"""Wagtail's page privacy (view restrictions) on article pages: Nashr reads
them in one query (``selectors.page_view_restrictions``); what readers get
must be exactly what Wagtail's own rule gives."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from nashr.articles.models import ArticlePage
from nashr.articles.selectors import page_view_restrictions

from .factories import build_site

pytestmark = pytest.mark.django_db


def _same_as_wagtail(page) -> set[int]:
    ours = {r.pk for r in page_view_restrictions(page=page)}
    assert ours == {r.pk for r in Page.get_view_restrictions(page)}
    return ours


def test_no_restriction_is_one_query_and_the_page_is_public(client):
    article = build_site(articles_per_section=1)["articles"][0]
    with CaptureQueriesContext(connection) as ctx:
        restrictions = page_view_restrictions(page=article)
        assert not restrictions
        assert list(restrictions) == []
    assert len(ctx.captured_queries) == 1
    assert _same_as_wagtail(article) == set()
    assert client.get(article.url).status_code == 200
    # each answer is its own queryset; refined, it still finds nothing
    again = page_view_restrictions(page=article)
    again._result_cache.append("changed")
    assert list(page_view_restrictions(page=article)) == []
    PageViewRestriction.objects.create(page=site_section(article), restriction_type=PageViewRestriction.LOGIN)
    assert list(restrictions.filter(restriction_type=PageViewRestriction.LOGIN)) == []
    assert list(restrictions.all()) == []


def site_section(article):
    return ArticlePage.objects.get(pk=article.pk).get_parent()


def test_a_login_restriction_on_the_section_sends_readers_to_sign_in(client):
    site = build_site(articles_per_section=1)
    section, article = site["sections"][0], site["articles"][0]
    restriction = PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    assert _same_as_wagtail(ArticlePage.objects.get(pk=article.pk)) == {restriction.pk}
    response = client.get(article.url)
    assert response.status_code == 302 and "login" in response["Location"]
    # the article of the other section stays public
    assert client.get(site["articles"][1].url).status_code == 200


def test_a_password_on_the_article_and_groups_on_the_home_page(client):
    site = build_site(articles_per_section=1)
    article = site["articles"][0]
    password = PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.PASSWORD,
                                                  password="كلمة-سر")
    response = client.get(article.url)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode() and "عنوان فرعي" not in response.content.decode()
    groups = PageViewRestriction.objects.create(page=site["home"], restriction_type=PageViewRestriction.GROUPS)
    groups.groups.add(Group.objects.create(name="محررون"))
    assert _same_as_wagtail(ArticlePage.objects.get(pk=article.pk)) == {password.pk, groups.pk}
    # the admin refines the queryset: that still works
    assert list(page_view_restrictions(page=article).order_by("-page__depth")) == [password, groups]


def test_an_alias_takes_its_source_restrictions_as_in_wagtail(client):
    site = build_site(articles_per_section=1)
    source = site["articles"][0]
    other_section = site["sections"][1]
    alias = ArticlePage.objects.get(pk=source.pk).create_alias(parent=other_section, update_slug="نسخة-مرآة")
    restriction = PageViewRestriction.objects.create(page=source, restriction_type=PageViewRestriction.LOGIN)
    alias = ArticlePage.objects.get(pk=alias.pk)
    assert _same_as_wagtail(alias) == {restriction.pk}
    assert client.get(alias.url).status_code == 302
