"""HEAD, POST, OPTIONS and odd methods on pages and feeds."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from nashr.articles.tests.factories import build_site

from .conftest import body_of, parse

pytestmark = pytest.mark.django_db

READER_URLS = {
    "home": "/",
    "section": "{section}",
    "article": "{article}",
    "section-feed": "{section}feed/",
    "site-feed": "/feed/",
    "site-atom": "/feed/atom/",
    "sitemap": "/sitemap.xml",
    "tag-feed": "/tag/وسم-0/feed/",
    "author-feed": "/author/كاتب-رقم-1/feed/",
    "tag": "/tag/وسم-0/",
    "author": "/author/كاتب-رقم-1/",
    "short-link": "/p/{pk}/",
    "robots": "/robots.txt",
    "news-sitemap": "/news-sitemap.xml",
    "media": "{media}",
}


@pytest.fixture
def urls(db):
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    values = {"section": site["sections"][0].url, "article": article.url, "pk": article.pk,
              "media": article.lead_image.file.url}
    return {name: template.format(**values) for name, template in READER_URLS.items()}


@pytest.mark.parametrize("name", list(READER_URLS))
def test_head_answers_like_get_without_a_body(reader, urls, name):
    """FINDING for tag, author, short-link, robots and news-sitemap: their
    views use ``@require_GET``, which refuses HEAD with 405 (RFC 9110 §9.1:
    HEAD must be supported wherever GET is). Link checkers, uptime monitors
    and some crawlers probe with HEAD."""
    get = reader.get(urls[name])
    head = reader.head(urls[name])
    assert head.status_code == get.status_code, f"HEAD {head.status_code}, GET {get.status_code}"
    assert body_of(head) == b""
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options", "trace"])
@pytest.mark.parametrize("name", list(READER_URLS))
def test_other_methods_never_500(reader, urls, name, method):
    response = getattr(reader, method)(urls[name])
    assert response.status_code < 500


def test_odd_method_names_never_500(reader, urls):
    for method in ("PROPFIND", "FOO", "CONNECT"):
        assert reader.generic(method, urls["article"]).status_code < 500


def test_subscribe_box_works_without_a_csrf_cookie(db):
    """The box on every page posts without a CSRF cookie (cookies blocked, an
    old tab, a cached page): the reader gets the Arabic "check your inbox"
    page, not Django's English 403. The view is CSRF-exempt by design (see
    ``nashr.newsletter.views.subscribe``)."""
    build_site(articles_per_section=1, body_images=0)
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = browser.post("/newsletter/subscribe/", {"email": "reader@example.com", "source": "footer"})
    assert response.status_code == 200
    doc = parse(response)
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"


def test_csrf_failure_page_is_arabic_for_the_password_form(db):
    """FINDING: the same for the password form of a private article."""
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    restriction = PageViewRestriction.objects.create(page=article, restriction_type="password", password="s3cret")
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    form = browser.get(article.url)
    assert form.status_code == 200 and parse(form).get("dir") == "rtl"
    response = browser.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{article.pk}/",
        {"password": "s3cret", "return_url": article.url},
    )
    assert response.status_code == 403
    doc = parse(response)
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"
