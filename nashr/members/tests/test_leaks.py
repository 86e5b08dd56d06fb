"""Nothing of a gated article's members-only part leaks on any public route.

Gated articles carry a unique marker in a body block past the free ones
(``NASHR_GATE_FREE_BLOCKS``). Every public route is fetched anonymously and
must not contain it; as a member, the article page shows it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from nashr.articles.tests.factories import build_site, make_image
from nashr.members.tests.html import by_class, by_id, json_ld, meta, parse

pytestmark = pytest.mark.django_db

#: in a late block of the members-only article with a standfirst
MARK_A = "QZX7319"
#: in a late block of the members-only article without a standfirst (so
#: the usual meta-description fallback — the start of the body — would
#: reach it: the first blocks are short)
MARK_B = "QZB4402"
#: in a late block of an old free article (the archive rule)
MARK_OLD = "QZO5150"
FREE_TEXT = "كان المشهد هادئًا في الصباح."
NEAR_WORDS = "الصفقة السرية"


def _body(marker: str) -> list[dict]:
    return [
        {"type": "paragraph", "value": f"<p>{FREE_TEXT}</p>"},
        {"type": "subheading", "value": "ما جرى"},
        {"type": "paragraph", "value": "<p>ثم بدأ الاجتماع.</p>"},
        {"type": "paragraph", "value": f"<p>وكشفت الوثائق تفاصيل {NEAR_WORDS} ورمزها {marker} للمرة الأولى.</p>"},
        {"type": "pull_quote", "value": {"quote": f"اقتباس فيه {marker}", "attribution": "مصدر"}},
    ]


def _publish(section, *, title, standfirst, body, access, author, tags, lead=None, published=None):
    from nashr.articles.models import ArticleAuthor, ArticlePage

    article = ArticlePage(title=title, standfirst=standfirst, body=body, access=access, lead_image=lead)
    section.add_child(instance=article)
    ArticleAuthor.objects.create(page=article, author=author, sort_order=0)
    article.tags.add(*tags)
    article.save()
    article.save_revision().publish()
    if published is not None:
        ArticlePage.objects.filter(pk=article.pk).update(date_published=published, first_published_at=published)
    return ArticlePage.objects.get(pk=article.pk)


@pytest.fixture
def gated(settings):
    """A small site, two members-only articles and one 40-day-old free one
    with the archive gate at 30 days, all in the search index."""
    from nashr.search import services as search_services

    settings.NASHR_GATE_FREE_BLOCKS = 3
    settings.NASHR_ARCHIVE_GATE_DAYS = 30
    site = build_site(articles_per_section=2, body_images=0)
    section = site["sections"][0]
    author = site["authors"][0]
    lead = make_image("صورة المقال المغلق", caption="تعليق الصورة")
    a = _publish(section, title="وثائق تكشف الصفقة", standfirst="خلاصة متاحة للجميع.",
                 body=_body(MARK_A), access="members", author=author, tags=["وسم 0", "وثائق"], lead=lead)
    b = _publish(section, title="تحقيق بلا مقدمة", standfirst="", body=_body(MARK_B), access="members",
                 author=author, tags=["وسم 1"])
    old = _publish(site["sections"][1], title="مقال قديم من الأرشيف", standfirst="خلاصة المقال القديم.",
                   body=_body(MARK_OLD), access="free", author=author, tags=["وسم 0"],
                   published=timezone.now() - timedelta(days=40))
    search_services.search_index_rebuild()
    if hasattr(search_services, "related_rebuild"):  # related-article cards, when built
        search_services.related_rebuild()
    return {**site, "a": a, "b": b, "old": old}


def _public_urls(gated) -> list[str]:
    from taggit.models import Tag

    urls = ["/", "/feed/", "/feed/atom/", "/sitemap.xml", "/news-sitemap.xml",
            "/search/?" + urlencode({"q": NEAR_WORDS}), "/search/?" + urlencode({"q": NEAR_WORDS, "sort": "newest"})]
    for section in gated["sections"]:
        urls += [section.url, section.url + "feed/", section.url + "feed/atom/"]
    for tag in Tag.objects.all():
        urls += [f"/tag/{tag.slug}/", f"/tag/{tag.slug}/feed/", f"/tag/{tag.slug}/feed/atom/"]
    for author in gated["authors"]:
        urls += [author.get_absolute_url(), author.get_absolute_url() + "feed/",
                 author.get_absolute_url() + "feed/atom/"]
    for article in gated["articles"] + [gated["a"], gated["b"], gated["old"]]:
        urls += [article.url, f"/p/{article.pk}/"]
    return urls


def _text(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def test_no_public_route_sends_the_members_only_text(gated):
    client = Client()
    fetched = 0
    for url in _public_urls(gated):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = _text(response)
        for marker in (MARK_A, MARK_B, MARK_OLD):
            assert marker not in html, f"{marker} leaked at {url}"
        fetched += 1
    assert fetched > 25
    # the routes did carry the articles (titles), so "absent" means something
    assert "وثائق تكشف الصفقة" in _text(client.get("/feed/"))
    assert "وثائق تكشف الصفقة" in parse(_text(client.get("/search/", {"q": NEAR_WORDS}))).text_content()


@pytest.mark.parametrize("marker", [MARK_A, MARK_B, MARK_OLD])
def test_searching_the_marker_finds_the_article_but_never_shows_its_text(gated, marker):
    response = Client().get("/search/", {"q": marker})
    doc = parse(response)
    results = by_class(doc, "search-results", "ol")
    if results:  # found through the index: the card shows title and standfirst only
        assert marker not in results[0].text_content()
    # the only place the marker may appear is the reader's own query, echoed
    for node in by_class(doc, "search-result__snippet") + by_class(doc, "search-result__title"):
        assert marker not in node.text_content()


def test_teaser_page_shows_head_free_blocks_gate_and_form(gated):
    a = gated["a"]
    response = Client().get(a.url)
    html = response.content.decode()
    doc = parse(html)
    assert by_class(doc, "article__title", "h1")[0].text_content().strip() == "وثائق تكشف الصفقة"
    assert by_class(doc, "article__standfirst")[0].text_content().strip() == "خلاصة متاحة للجميع."
    assert by_class(doc, "lead-figure")[0].xpath(".//img")
    body = by_class(doc, "article__body")[0].text_content()
    assert FREE_TEXT in body and "ثم بدأ الاجتماع." in body
    assert NEAR_WORDS not in body  # the 4th block is not sent
    gate = by_class(doc, "article__gated gate")[0]
    assert "اشترك الآن لمتابعة القراءة والوصول إلى الأرشيف الكامل" in gate.text_content()
    form = by_class(gate, "nl-box__form", "form")[0]
    assert form.get("action") == "/newsletter/subscribe/" and by_id(form, "gate-nl-email")
    signin = [link.get("href") for link in gate.xpath(".//a") if "سجّل الدخول" in link.text_content()]
    assert signin and signin[0].startswith("/account/signin/?next=")
    assert "Cookie" in response["Vary"]


def test_meta_tags_and_json_ld_of_a_gated_article(gated):
    for article, marker, description in ((gated["a"], MARK_A, "خلاصة متاحة للجميع."),
                                          (gated["b"], MARK_B, "تحقيق بلا مقدمة")):
        doc = parse(Client().get(article.url))
        for content in (meta(doc, name="description"), meta(doc, prop="og:description"),
                        meta(doc, name="twitter:description")):
            assert content == description, content
            assert FREE_TEXT not in content  # no body-derived text at all
        data = json.loads(json_ld(doc))
        assert data["isAccessibleForFree"] is False
        assert data["hasPart"] == {"@type": "WebPageElement", "isAccessibleForFree": False,
                                   "cssSelector": ".article__gated"}
        assert data["description"] == description
        assert marker not in json.dumps(data, ensure_ascii=False)


def test_free_articles_are_whole_and_unmarked(gated):
    article = gated["articles"][0]
    response = Client().get(article.url)
    doc = parse(response)
    assert not by_class(doc, "gate")
    data = json.loads(json_ld(doc))
    assert "isAccessibleForFree" not in data
    assert "الكلمة مسؤولية" in by_class(doc, "article__body")[0].text_content()  # its last block


def test_archive_rule_gates_an_old_free_article(gated, settings):
    old = gated["old"]
    html = Client().get(old.url).content.decode()
    assert MARK_OLD not in html and "هذا المقال من الأرشيف" in html
    settings.NASHR_ARCHIVE_GATE_DAYS = 0  # archive gate off: the old article is free again
    html = Client().get(old.url).content.decode()
    assert MARK_OLD in html and "article__gated" not in html


def _member(email="member@example.org"):
    from nashr.members.services import member_ensure
    from nashr.newsletter.models import Subscriber

    subscriber = Subscriber.objects.create(email=email, email_key=email, status=Subscriber.Status.CONFIRMED,
                                           confirmed_at=timezone.now())
    return member_ensure(subscriber=subscriber)


def test_member_reads_in_full_privately_and_the_next_reader_gets_the_teaser(gated):
    member = _member()
    client = Client()
    client.force_login(member.user, backend="nashr.members.backends.MemberTokenBackend")
    for article, marker in ((gated["a"], MARK_A), (gated["b"], MARK_B), (gated["old"], MARK_OLD)):
        response = client.get(article.url)
        html = response.content.decode()
        assert marker in html
        doc = parse(html)
        assert marker in by_class(by_class(doc, "article__body")[0], "article__gated")[0].text_content()
        assert not by_class(doc, "gate")
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        # JSON-LD still says the article is not free
        assert json.loads(json_ld(doc))["isAccessibleForFree"] is False
    # the same process, right after: an anonymous reader gets the teaser
    # (SiteCacheMiddleware caches the Site row only, never a page)
    html = Client().get(gated["a"].url).content.decode()
    assert MARK_A not in html and "article__gated gate" in html


def test_pending_or_cleaned_subscribers_and_plain_users_get_the_teaser(gated):
    from django.contrib.auth import get_user_model

    from nashr.newsletter.models import Subscriber

    member = _member("cleaned@example.org")
    Subscriber.objects.filter(pk=member.subscriber_id).update(status=Subscriber.Status.CLEANED)
    client = Client()
    client.force_login(member.user, backend="nashr.members.backends.MemberTokenBackend")
    assert MARK_A not in client.get(gated["a"].url).content.decode()
    user = get_user_model().objects.create_user("someone", "someone@example.org", "x-pass-123456")
    client = Client()
    client.force_login(user)
    assert MARK_A not in client.get(gated["a"].url).content.decode()


def test_editors_read_in_full(gated):
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "x-pass-123456")
    client = Client()
    client.force_login(editor)
    assert MARK_A in client.get(gated["a"].url).content.decode()


def test_newsletter_email_of_a_members_only_article_is_a_teaser(gated):
    from nashr.newsletter.rendering import article_email_render

    html, text = article_email_render(article=gated["a"], subject="s")
    for part in (html, text):
        assert MARK_A not in part and NEAR_WORDS not in part
        assert FREE_TEXT in part
        assert "بقية المقال للمشتركين: تابع القراءة على الموقع." in part
    html, text = article_email_render(article=gated["articles"][0], subject="s")
    assert "بقية المقال للمشتركين" not in text and "الكلمة مسؤولية" in text
