"""What readers get from the page tree: pages, Arabic slugs, short links,
metadata, and a bounded number of SQL queries."""

import json
import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nashr.articles.models import ArticlePage, SectionPage

from .factories import build_site

pytestmark = pytest.mark.django_db


def test_arabic_title_gives_readable_unique_slug():
    site = build_site(articles_per_section=2)
    first, second = site["articles"][:2]
    # harakat stripped, spaces to hyphens, NFC
    assert first.slug == "الرئيس-يزور-المدينة-رقم-00"
    section = site["sections"][0]
    dup = ArticlePage(title=first.title)
    section.add_child(instance=dup)
    assert dup.slug == "الرئيس-يزور-المدينة-رقم-00-2"
    punct = ArticlePage(title="؟؟؟ !!!")
    section.add_child(instance=punct)
    assert punct.slug and punct.slug.strip("-") == punct.slug and set(punct.slug) != {"-"}


def test_article_url_resolves_decoded_and_percent_encoded(client):
    article = build_site(articles_per_section=1)["articles"][0]
    url = article.url  # what Wagtail puts in href: percent-encoded UTF-8
    assert "الرئيس" in unquote(url)
    assert client.get(url).status_code == 200
    assert client.get(unquote(url)).status_code == 200  # the raw IRI path too


def test_short_link_redirects_permanently_to_canonical(client):
    article = build_site(articles_per_section=1)["articles"][0]
    response = client.get(f"/p/{article.pk}/")
    assert response.status_code == 301
    assert response["Location"] == article.url
    article.unpublish()
    assert client.get(f"/p/{article.pk}/").status_code == 404


def test_article_page_shows_what_a_reader_needs(client):
    site = build_site(articles_per_section=1, authors_per_article=2)
    article = site["articles"][0]
    html = client.get(article.url).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert article.title in html
    assert "خلاصة المقال." in html
    # byline with both authors joined by the Arabic "and"
    assert "كاتب رقم 1</a> و<a" in html
    # caption and credit "photographer | agency | distributor"
    assert "سوق الخضار في الصباح الباكر" in html
    assert "سارة خليل | وكالة الأفق | شبكة الصور" in html
    # Latin runs isolated
    assert '<bdi dir="ltr">Apple</bdi>' in html
    assert "مدة القراءة: دقيقة واحدة" in html
    # tags link to tag pages
    assert 'href="/tag/' in html
    # responsive images with dimensions
    img = re.search(r'<img src="[^"]+" srcset="[^"]+" sizes="[^"]+" width="\d+" height="\d+"', html)
    assert img, "lead image is not a responsive <img> with width and height"
    assert 'loading="lazy"' in html  # in-body image below the fold


def test_article_head_metadata(client, settings):
    article = build_site(articles_per_section=1)["articles"][0]
    html = client.get(article.url).content.decode()
    canonical = settings.SITE_URL + article.url
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta name="description" content="خلاصة المقال.">' in html
    assert '<meta property="og:title" content="' + article.title + '">' in html
    assert 'property="og:image" content="http' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(ld)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["image"][0].startswith("http")
    assert data["datePublished"] and data["dateModified"]
    assert data["author"][0]["name"] == "كاتب رقم 1"
    assert data["publisher"]["logo"]["url"].endswith("/static/nashr/logo.png")


def test_json_ld_cannot_be_broken_out_of(client):
    article = build_site(articles_per_section=1)["articles"][0]
    article.title = "عنوان </script><script>alert(1)</script>"
    article.save_revision().publish()
    html = client.get(article.url).content.decode()
    assert "<script>alert(1)" not in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(ld)["headline"] == article.title


def test_article_page_query_count_is_constant(client):
    """Same number of SQL queries with 1 tag/1 author/1 body image as with
    8 tags/4 authors/6 body images (after renditions exist)."""
    counts = []
    for tags, authors, images in [(1, 1, 1), (8, 4, 6)]:
        site = build_site(articles_per_section=1, tags_per_article=tags,
                          authors_per_article=authors, body_images=images)
        article = site["articles"][-1]
        client.get(article.url)  # create renditions once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(article.url).status_code == 200
        counts.append(len(ctx.captured_queries))
        ArticlePage.objects.all().delete()
        SectionPage.objects.all().delete()
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25


def test_home_section_tag_author_pages(client):
    site = build_site(articles_per_section=3)
    home = client.get("/").content.decode()
    assert "الأحدث" in home
    for section in site["sections"]:
        assert section.title in home
        page = client.get(section.url)
        assert page.status_code == 200
    tag_page = client.get("/tag/" + site["articles"][0].tags.first().slug + "/")
    assert tag_page.status_code == 200 and site["articles"][0].title in tag_page.content.decode()
    author = site["authors"][0]
    author_page = client.get(author.get_absolute_url())
    assert author_page.status_code == 200 and author.name in author_page.content.decode()


def test_home_and_listing_query_counts_do_not_grow(client):
    site = build_site(articles_per_section=2)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get(site["sections"][0].url)
    for n in range(6):
        extra = ArticlePage(title=f"مقال إضافي {n}", standfirst="خلاصة")
        site["sections"][0].add_child(instance=extra)
        extra.save_revision().publish()
    client.get(site["sections"][0].url)
    with CaptureQueriesContext(connection) as big:
        client.get(site["sections"][0].url)
    assert len(small.captured_queries) == len(big.captured_queries)


@pytest.mark.parametrize(
    "url,status",
    [
        ("/لا-توجد-صفحة/", 404),
        ("/%D8%A7%D9/", 404),  # malformed UTF-8 in percent-encoding
        ("/%ZZ/", 404),
        ("/?page=abc", 200),  # home ignores page
        ("/p/999999/", 404),
        ("/tag/غير-موجود/", 404),
        ("/author/nobody/", 404),
    ],
)
def test_bad_urls_get_arabic_error_pages_not_500(client, url, status):
    build_site(articles_per_section=1)
    response = client.get(url)
    assert response.status_code == status
    if status == 404:
        html = response.content.decode()
        assert 'dir="rtl"' in html and "لم نعثر على هذه الصفحة" in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1" * 50, "1.5", "%00"])
def test_bad_page_numbers_are_404(client, page):
    section = build_site(articles_per_section=1)["sections"][0]
    response = client.get(section.url + "?page=" + page)
    assert response.status_code in (400, 404)
    assert 'dir="rtl"' in response.content.decode()


def test_overlong_query_string_is_400_in_arabic(client):
    build_site(articles_per_section=1)
    response = client.get("/?q=" + "ا" * 3000)
    assert response.status_code == 400
    assert "تعذّر فهم هذا الطلب" in response.content.decode()


def test_dates_follow_the_region_and_digit_settings(client, settings):
    from datetime import datetime, timezone as tz

    article = build_site(articles_per_section=1)["articles"][0]
    ArticlePage.objects.filter(pk=article.pk).update(date_published=datetime(2026, 10, 5, 9, 0, tzinfo=tz.utc))
    settings.NASHR_DATE_REGION = "EG"
    settings.NASHR_DIGITS = "latn"
    html = client.get(article.url).content.decode()
    assert "5 أكتوبر 2026" in html
    assert "هـ" in html  # the Hijri date beside it
    settings.NASHR_DATE_REGION = "SY"
    settings.NASHR_DIGITS = "arab"
    html = client.get(article.url).content.decode()
    assert "٥ تشرين الأول ٢٠٢٦" in html
    settings.NASHR_SHOW_HIJRI = False
    assert "هـ" not in client.get(article.url).content.decode()


def test_reading_time_counts_arabic_words(client):
    article = build_site(articles_per_section=1)["articles"][0]
    paragraph = "<p>" + " ".join(["كلمة"] * 690) + "</p>"
    article.body = [{"type": "paragraph", "value": paragraph}]
    article.save_revision().publish()
    html = client.get(article.url).content.decode()
    # 690 body words + 2 standfirst words at 138 words a minute -> 6 minutes
    assert "مدة القراءة: 6 دقائق" in html


def test_server_error_gets_the_arabic_500_page(client, monkeypatch):
    article = build_site(articles_per_section=1)["articles"][0]

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("nashr.articles.selectors.article_page_context", broken)
    client.raise_request_exception = False
    response = client.get(article.url)
    assert response.status_code == 500
    html = response.content.decode()
    assert 'dir="rtl"' in html and "حدث خطأ من جهتنا" in html
    assert "database went away" not in html


def test_home_page_query_count_does_not_grow_with_sections(client):
    site = build_site(articles_per_section=2)
    client.get("/")
    with CaptureQueriesContext(connection) as two:
        html = client.get("/").content.decode()
    for section in site["sections"]:
        assert section.title in html
    home = site["home"]
    for n in range(3):
        section = SectionPage(title=f"قسم إضافي {n}")
        home.add_child(instance=section)
        section.save_revision().publish()
        article = ArticlePage(title=f"مقال في القسم الإضافي {n}", standfirst="خلاصة")
        section.add_child(instance=article)
        article.save_revision().publish()
    client.get("/")
    with CaptureQueriesContext(connection) as five:
        html = client.get("/").content.decode()
    assert "قسم إضافي 2" in html and "مقال في القسم الإضافي 2" in html
    assert len(five.captured_queries) == len(two.captured_queries)
