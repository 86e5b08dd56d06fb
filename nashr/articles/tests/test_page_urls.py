"""Page, file and static URLs worked out without Django's per-call
machinery (nashr.articles.page_urls, images.storage_url, the ``asset``
tag) are the URLs Wagtail and Django give."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.template import engines
from django.templatetags.static import static
from django.test import RequestFactory
from wagtail.models import Page, Site

from nashr.articles.images import storage_url
from nashr.articles.models import ArticlePage, SectionPage
from nashr.articles.page_urls import page_url, page_url_parts

from .factories import build_site

pytestmark = pytest.mark.django_db


def _request(host="localhost"):
    request = RequestFactory(HTTP_HOST=host).get("/")
    return request


def _pages():
    return [page.specific for page in Page.objects.filter(depth__gt=1).order_by("path")]


def _add_article(section, *, title, slug):
    article = ArticlePage(title=title, slug=slug, body=[])
    section.add_child(instance=article)
    article.save_revision().publish()
    return article


def test_page_urls_are_wagtails_on_one_site():
    site = build_site(articles_per_section=1)
    section = site["sections"][0]
    _add_article(section, title="Latin", slug="iphone-16_pro")
    _add_article(section, title="أرقام", slug="٢٠٢٦-عام")
    pages = _pages()
    assert len(pages) >= 6
    for page in pages:
        request = _request()
        assert page_url(page, request=request) == page.get_url(request=request)
        assert page_url(page) == Page.objects.get(pk=page.pk).specific.get_url()
        assert page_url_parts(page) == Page.objects.get(pk=page.pk).specific.get_url_parts()
    # percent-encoded Arabic, as reverse() gives it
    assert page_url(section, request=_request()) == "/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF/"


def test_page_urls_are_wagtails_with_two_sites():
    site = build_site(articles_per_section=1)
    culture = site["sections"][1]
    Site.objects.create(hostname="culture.example", port=80, root_page=culture, is_default_site=False)
    for page in _pages():
        for host in ("localhost", "culture.example"):
            request = _request(host)
            assert page_url(page, request=request) == Page.objects.get(pk=page.pk).specific.get_url(
                request=_request(host)), (page, host)
        assert page_url_parts(page) == Page.objects.get(pk=page.pk).specific.get_url_parts()


def test_a_page_outside_every_site_has_no_url():
    build_site(articles_per_section=1)
    root = Page.objects.get(depth=1)
    orphan = SectionPage(title="خارج الموقع", slug="orphan")
    root.add_child(instance=orphan)
    assert page_url(orphan, request=_request()) is None
    assert page_url_parts(orphan) is None


def test_storage_urls_are_the_storages(settings, tmp_path):
    names = ["images/photo.width-480.jpg", "images/a_b-c.fill-96x96.webp", "original_images/x.jpg",
             "images/صورة.jpg", "images/a b.jpg", "images/../x.jpg", "./x.jpg", "images/.hidden.jpg",
             "images/x.jpg?v=1", "images/x#y.jpg", "/abs/x.jpg", "images//x.jpg", "images/x%20y.jpg"]
    for storage in (default_storage, FileSystemStorage(location=tmp_path, base_url="https://cdn.example/m/"),
                    FileSystemStorage(location=tmp_path, base_url="/media/./v2/")):
        for name in names:
            assert storage_url(storage, name) == storage.url(name), (storage, name)


def test_the_asset_tag_gives_the_static_url(settings):
    template = engines["django"].from_string("{% load nashr %}{% asset 'nashr/nashr.css' %}|{% asset 'a b/c&d.js' %}")
    assert template.render({}) == f"{static('nashr/nashr.css')}|{static('a b/c&d.js').replace('&', '&amp;')}"
    settings.STATIC_URL = "https://cdn.example/s/"
    assert template.render({}).startswith("https://cdn.example/s/nashr/nashr.css|")


@pytest.mark.parametrize("name,args", [
    ("author", ("كاتب-رقم-1",)), ("author", ("nadia haddad",)), ("author", ("a%b?c#d&e",)),
    ("author", ("٢٠٢٦",)), ("author", ("line\nbreak",)), ("comments:article_feed", (7,)),
    ("comments:article_feed", (0,)), ("comments:post", ()), ("newsletter:subscribe", ()),
    ("author-feed-rss", ("كاتب",)),
])
def test_route_urls_are_reverses(name, args):
    from django.urls import reverse

    from nashr.articles.page_urls import route_url

    for _ in range(2):  # worked out, then remembered
        assert route_url(name, *args) == reverse(name, args=args)


def test_route_url_refuses_what_reverse_refuses():
    from django.urls import NoReverseMatch

    from nashr.articles.page_urls import route_url

    for name, args in (("author", ("",)), ("author", ("with/slash",)), ("comments:article_feed", (-1,)),
                       ("no-such-route", ())):
        with pytest.raises(NoReverseMatch):
            route_url(name, *args)


def test_an_authors_link_is_its_page(client):
    from nashr.articles.models import Author

    author = Author.objects.create(name="نادية Haddad", slug="نادية-haddad")
    assert author.get_absolute_url() == "/author/%D9%86%D8%A7%D8%AF%D9%8A%D8%A9-haddad/"
    assert client.get(author.get_absolute_url()).status_code == 200
