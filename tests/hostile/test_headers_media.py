"""Response headers, cookies, and the /media/ route: path traversal and what
uploaded photos tell readers about where they were taken."""

import io
import re

import pytest
from PIL import Image

from nashr.articles.tests.factories import build_site, make_image

from .conftest import body_of, parse

pytestmark = pytest.mark.django_db

SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


@pytest.fixture
def site(db):
    return build_site(articles_per_section=1, body_images=0)


def _reader_urls(site):
    section, article = site["sections"][0], site["articles"][0]
    return ["/", section.url, article.url, section.url + "feed/", "/feed/", "/feed/atom/", "/tag/وسم-0/",
            "/author/كاتب-رقم-1/", "/tag/وسم-0/feed/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt",
            f"/p/{article.pk}/", "/nope/", "/tag/nope/", article.lead_image.file.url]


def test_security_headers_on_reader_responses(reader, site):
    for url in _reader_urls(site):
        response = reader.get(url)
        assert response.status_code in (200, 301, 404), url
        for header, value in SECURITY.items():
            assert response.get(header) == value, (url, header)


def test_no_cookies_on_anonymous_reader_responses(reader, site):
    """FINDING (new with commit 686f0e1, the newsletter): the subscribe box
    in the footer of base.html (and after every article) renders
    ``{% csrf_token %}``, so every anonymous HTML page now sets a
    ``csrftoken`` cookie and ``Vary: Cookie``: no reader page can be
    shared-cached any more, and a page cached anyway hands every reader
    someone else's token (their subscribe POST then fails CSRF)."""
    for url in _reader_urls(site):
        response = reader.get(url)
        assert not response.cookies, (url, list(response.cookies))
        assert "Set-Cookie" not in response
        assert "Cookie" not in response.get("Vary", ""), url


def test_bad_request_page_has_the_security_headers(reader, site):
    """FINDING (low): ``BadRequestGuardMiddleware`` answers before
    ``XFrameOptionsMiddleware`` runs, so its Arabic 400 page (over-long
    query, NUL byte) is sent without ``X-Frame-Options``."""
    for url in ("/?" + "a" * 3000, "/%00/"):
        response = reader.get(url)
        assert response.status_code == 400
        for header, value in SECURITY.items():
            assert response.get(header) == value, (url, header)


def test_media_is_cacheable_and_typed(reader, site):
    article = site["articles"][0]
    html = reader.get(article.url).content.decode()
    rendition = re.search(r'src="(/media/images/[^"]+)"', html).group(1)
    for url in (rendition, article.lead_image.file.url):
        response = reader.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"


TRAVERSALS = [
    "/media/../secret_key", "/media/%2e%2e/secret_key", "/media/%2e%2e%2fsecret_key", "/media/..%2fsecret_key",
    "/media/%2E%2E/secret_key", "/media/.%2e/secret_key", "/media/original_images/../../secret_key",
    "/media/original_images/%2e%2e/%2e%2e/secret_key", "/media/%252e%252e/secret_key", "/media/....//secret_key",
    "/media/..\\secret_key", "/media/%2e%2e%5csecret_key", "/media/%c0%ae%c0%ae/secret_key",
    "/media/%e0%80%ae%e0%80%ae/secret_key", "/media//{root}/secret_key", "/media/{root}/secret_key",
    "/media/%2f{root}%2fsecret_key", "/media/../../../../../../etc/passwd", "/media/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_media_never_serves_files_outside_media_root(reader, site, settings, path):
    root = settings.MEDIA_ROOT.parent
    (root / "secret_key").write_text("TOP-SECRET-KEY")
    response = reader.get(path.format(root=str(root).strip("/")))
    assert response.status_code in (400, 404)
    assert b"TOP-SECRET-KEY" not in body_of(response)
    assert b"root:" not in body_of(response)
    assert parse(response).get("dir") == "rtl"


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (33.0, 30.0, 12.0), 3: "E", 4: (36.0, 17.0, 5.0)}  # GPS IFD
    buf = io.BytesIO()
    Image.new("RGB", (1800, 1000), (40, 90, 120)).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def _gps(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825))


@pytest.fixture
def gps_article(site):
    article = site["articles"][0]
    upload = _jpeg_with_gps()
    assert _gps(upload)  # the uploaded file does carry a location
    article.lead_image = make_image("صورة من الميدان", data=upload)
    article.save_revision().publish()
    return article


def test_photos_shown_to_readers_carry_no_gps_location(reader, gps_article):
    """FINDING (high for a newsroom): renditions keep the upload's EXIF, GPS
    block included. Every size in the article's srcset, og:image and the
    feed enclosure tells readers where the photographer stood."""
    html = reader.get(gps_article.url).content.decode()
    urls = set(re.findall(r"(?:https?://[^/\"]+)?(/media/[^\"\s,]+)", html))
    feed = reader.get("/feed/").content.decode()
    urls |= set(re.findall(r'enclosure[^>]*url="https?://[^/"]+(/media/[^"]+)"', feed))
    assert len(urls) >= 5
    leaking = [u for u in sorted(urls) if _gps(body_of(reader.get(u)))]
    assert leaking == []


def test_original_upload_is_not_served_with_its_gps_location(reader, gps_article):
    """FINDING: the untouched upload is public at ``/media/original_images/
    <name>``, a URL anyone derives from a rendition's (``images/<name>.
    width-800.jpg``), EXIF and GPS included."""
    html = reader.get(gps_article.url).content.decode()
    rendition = re.search(r'src="/media/images/([^".]+)\.[^"]+"', html).group(1)
    guessed = f"/media/original_images/{rendition}.jpg"
    assert guessed == gps_article.lead_image.file.url
    response = reader.get(guessed)
    assert response.status_code != 200 or not _gps(body_of(response))
