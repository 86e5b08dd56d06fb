"""Hostile and malformed URLs: never a 500, an Arabic error page instead."""

import unicodedata
from urllib.parse import quote, unquote

import pytest

from nashr.articles.tests.factories import build_site

from .conftest import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    return build_site(articles_per_section=2, body_images=0)


def assert_arabic_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    doc = parse(response)
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"


LONG = "ا" * 5000  # 10 KB of UTF-8 once percent-decoded

NOT_FOUND = [
    "/nope/", "/%", "/%ZZ/", "/%D8/", "/%D8", "/%C0%AF/", "/%C0%AE%C0%AE/", "/%FF%FE/",
    "/" + "a" * 10240 + "/", "/" + LONG + "/", "/a/" * 2000,
    "/../", "/a/../", "/x//y/", "/%2e%2e/", "/%2e%2e%2f%2e%2e%2fetc/passwd",
    "/p/-1/", "/p/0/", "/p/abc/", "/p/٣/", "/p/+5/", "/p/5.0/", "/p/9223372036854775807/",
    "/tag/%ZZ/", "/tag/%D8/", "/tag/<script>/", "/tag/..%2F/", "/tag/a%2Fb/", "/tag/%20/",
    "/tag/%F0%9F%98%80/", "/tag/" + "x" * 5000 + "/", "/tag/%D8/feed/", "/tag/%D8/feed/atom/",
    "/author/%D8/", "/author/<x>/", "/author/%C0%AF/", "/author/" + "x" * 5000 + "/", "/author/%D8/feed/",
    "/documents/99999999999999999999/x/", "/_util/authenticate_with_password/99999999999999999999/1/",
    "/media/", "/media/%D8", "/media/%252e%252e/secret_key", "/media//etc/passwd", "/media/%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", NOT_FOUND, ids=lambda p: p[:40])
def test_malformed_or_unknown_path_gets_arabic_404(reader, site, path):
    assert_arabic_error(reader.get(path), 404)


@pytest.mark.parametrize("path", ["/%00/", "/a%00b/", "/tag/%00/", "/media/%00", "/?q=%00"])
def test_nul_byte_gets_arabic_400(reader, site, path):
    assert_arabic_error(reader.get(path), 400)


def test_over_long_query_string_gets_arabic_400(reader, site):
    assert_arabic_error(reader.get("/?" + "a=b&" * 1000), 400)
    assert reader.get("/?" + "a=b&" * 400).status_code == 200  # 1.6 KB is fine


@pytest.mark.parametrize("query", ["x=%ZZ", "%D8=%D8", "page[]=1", "a=" + "٣" * 300])
def test_odd_but_short_query_strings_are_ignored(reader, site, query):
    assert reader.get("/?" + query).status_code == 200


@pytest.mark.parametrize("path", [
    "/p/9223372036854775808/",
    "/p/99999999999999999999999999/",
])
def test_short_link_with_huge_id_is_404(reader, site, path):
    """FINDING: ``/p/<int>/`` passes any digit string to the database;
    past 2**63-1 SQLite raises OverflowError and the reader gets a 500."""
    assert_arabic_error(reader.get(path), 404)


@pytest.mark.parametrize("name", ["a" * 300, "original_images/" + "b" * 256 + ".jpg"],
                         ids=["top-level", "in-original-images"])
def test_media_with_over_long_file_name_is_404(reader, site, name):
    """FINDING: a path component longer than the file system's NAME_MAX
    (255) makes ``os.stat`` raise ENAMETOOLONG inside Django's static
    ``serve``; the reader gets a 500 (and the log a traceback) per request."""
    assert_arabic_error(reader.get("/media/" + name), 404)


@pytest.mark.parametrize("page", ["999999", "-1", "0", "1.5", "1e3", "٣", "²", "1_0", "%D8", "%C0%AF",
                                  "", "last", "9" * 20, "1&page=5"])
def test_bad_page_numbers_get_arabic_404(reader, site, page):
    section = site["sections"][0]
    for url in (section.url, "/tag/وسم-0/", "/author/كاتب-رقم-1/"):
        assert_arabic_error(reader.get(f"{url}?page={page}"), 404)


def test_arabic_indic_page_one_is_page_one_with_canonical_without_page(reader, site, settings):
    section = site["sections"][0]
    response = reader.get(section.url + "?page=١")
    assert response.status_code == 200
    doc = parse(response)
    assert doc.xpath("//link[@rel='canonical']/@href") == [settings.SITE_URL + section.url]


@pytest.mark.parametrize("variant", ["nfd", "harakat", "tatweel", "double-slash", "dot-segment"])
def test_unnormalised_arabic_paths_do_not_500(reader, site, variant):
    article = site["articles"][0]
    path = unquote(article.url)
    section_path = unquote(site["sections"][0].url)
    bad = {
        "nfd": unicodedata.normalize("NFD", path),  # ئ → ي + hamza above
        "harakat": section_path.replace("اقتصاد", "اقتصادٌ"),
        "tatweel": section_path.replace("اقتصاد", "اقتـصاد"),
        "double-slash": section_path + "/",
        "dot-segment": "/./" + section_path.lstrip("/"),
    }[variant]
    assert bad != path
    for form in (bad, quote(bad)):
        response = reader.get(form)
        assert response.status_code in (200, 301, 404)
        if response.status_code == 404:
            assert_arabic_error(response, 404)


def test_missing_trailing_slash_redirects_on_the_same_site(reader, site):
    for url in (site["sections"][0].url, site["articles"][0].url, "/feed/", "/tag/وسم-0/"):
        response = reader.get(url.rstrip("/"))
        assert response.status_code == 301
        assert response["Location"] in (url, quote(url, safe="/"))


@pytest.mark.parametrize("path_info", ["//evil.example/", "//evil.example", "/\\evil.example/",
                                       "/%2F%2Fevil.example", "/%5Cevil.example", "///evil.example/x"])
def test_no_redirect_to_another_host(reader, site, path_info):
    response = reader.get("/", PATH_INFO=path_info)
    location = response.get("Location", "")
    assert "evil.example" not in location
    assert response.status_code in (301, 404)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1\r\nX-Injected: 1", "a" * 300])
def test_unknown_host_gets_arabic_400(reader, site, host):
    assert_arabic_error(reader.get("/", HTTP_HOST=host), 400)


def test_every_tag_link_on_an_article_resolves(reader, site):
    """FINDING: a tag made only of punctuation (``..``, ``؟``, ``!!``) gets
    an empty slug from taggit when it is the first of its kind; the article
    then links to ``/tag//``, a 404, and the tag page is unreachable."""
    article = site["articles"][0]
    article.tags.add("..", "؟", "C++", "C#", "100%")
    article.save_revision().publish()
    doc = parse(reader.get(article.url))
    links = doc.xpath("//ul[@class='tags']//a/@href")
    assert len(links) == 7
    for href in links:
        assert reader.get(href).status_code == 200, href
