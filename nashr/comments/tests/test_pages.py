"""The reader's side on the article page: the form (labels, privacy
sentence, CSRF), posting (POST/redirect/GET), "awaiting moderation",
Arabic errors next to fields with what was typed kept, threads, reply links
with and without JavaScript, closed comments, and counts on cards."""

import re

import pytest
from django.test import Client
from lxml import html as lxml_html

from nashr.articles.models import ArticlePage
from nashr.comments.models import Comment

from .conftest import READER, post_data

pytestmark = pytest.mark.django_db

PRIVACY = "لن يُنشر بريدك الإلكتروني. الحقول المطلوبة مشار إليها بـ"


def page(response):
    return lxml_html.document_fromstring(response.content)


def test_form_under_the_article(reader, article):
    response = reader.get(article.url)
    assert response.status_code == 200
    doc = page(response)
    form = doc.xpath('//section[@id="comments"]//form')[0]
    assert form.get("action") == "/comments/post/" and form.get("method") == "post"
    labels = {lab.get("for"): " ".join(lab.text_content().split()) for lab in form.xpath(".//label")}
    assert labels["cm-name"] == "الاسم *" and labels["cm-email"] == "البريد الإلكتروني *"
    assert labels["cm-url"] == "الموقع (اختياري)" and labels["cm-body"] == "التعليق *"
    assert PRIVACY in form.text_content()
    assert form.xpath('.//input[@name="company"]/ancestor::p[@aria-hidden="true"]'), "honeypot hidden"
    assert "لا تعليقات بعد" in doc.xpath('//section[@id="comments"]')[0].text_content()


def test_first_comment_is_held_with_post_redirect_get(reader, article):
    response = reader.post("/comments/post/", post_data(article))
    assert response.status_code == 303
    assert response["Location"] == f"{article.url}?comment=held#respond"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    shown = reader.get(response["Location"].split("#")[0])
    notice = page(shown).xpath('//*[@role="status"]')[0].text_content()
    assert "تعليقك بانتظار المراجعة" in notice
    assert READER["body"] not in shown.content.decode(), "a held comment is not public"


def test_known_author_is_published_at_once_with_permalink(reader, article, approved):
    approved(body="تعليق سابق")
    response = reader.post("/comments/post/", post_data(article, body="رأي ثانٍ في الموضوع"))
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.APPROVED
    assert response.status_code == 303 and response["Location"] == f"{article.url}#comment-{comment.pk}"
    doc = page(reader.get(article.url))
    item = doc.xpath(f'//li[@id="comment-{comment.pk}"]')[0]
    assert "رأي ثانٍ في الموضوع" in item.text_content()
    assert item.xpath(f'.//a[@href="#comment-{comment.pk}"]/time'), "permalink on the date"
    assert item.xpath('.//span[contains(@class, "cm-avatar")]')[0].text_content() == "سع"
    assert "(تعليقان)" in doc.xpath('//h2[@id="comments-title"]')[0].text_content()


def test_errors_are_arabic_next_to_fields_and_input_is_kept(reader, article):
    data = post_data(article, author_name="", author_email="not-an-email", author_url="https://me.example",
                     body="نص كتبته بعناية")
    response = reader.post("/comments/post/", data)
    assert response.status_code == 400
    doc = page(response)
    assert doc.xpath('//*[@id="cm-name-error"]')[0].text_content() == "اكتب اسمك."
    assert "غير صحيح" in doc.xpath('//*[@id="cm-email-error"]')[0].text_content()
    assert doc.xpath('//input[@id="cm-email"]')[0].get("aria-invalid") == "true"
    assert doc.xpath('//input[@id="cm-email"]')[0].get("value") == "not-an-email"
    assert doc.xpath('//input[@id="cm-url"]')[0].get("value") == "https://me.example"
    assert doc.xpath('//textarea[@id="cm-body"]')[0].text_content() == "نص كتبته بعناية"
    assert Comment.objects.count() == 0


def test_a_100_kb_comment_gets_a_clear_too_long_error_and_is_kept(reader, article, settings):
    settings.NASHR_COMMENTS_MAX_LENGTH = 5000
    body = ("كلمة " * 20_500)[:102_399] + "."
    response = reader.post("/comments/post/", post_data(article, body=body))
    assert response.status_code == 400
    doc = page(response)
    error = doc.xpath('//*[@id="cm-body-error"]')[0].text_content()
    assert "أطول من المسموح" in error and "5000" in error and str(len(body)) in error
    assert doc.xpath('//textarea[@id="cm-body"]')[0].text_content() == body
    assert Comment.objects.count() == 0


def test_guard_refusal_shows_message_and_keeps_text(reader, article):
    from nashr.comments.guard import form_token_make

    response = reader.post("/comments/post/", post_data(article, token=form_token_make(article_id=article.pk)))
    assert response.status_code == 400
    doc = page(response)
    assert "بسرعة" in doc.xpath('//*[contains(@class, "cm-form__errors")]')[0].text_content()
    assert doc.xpath('//textarea[@id="cm-body"]')[0].text_content() == READER["body"]
    new_token = doc.xpath('//input[@name="token"]')[0].get("value")
    assert new_token and new_token != form_token_make(article_id=article.pk, now=0)


def test_rate_limited_post_answers_429(reader, article, settings):
    settings.NASHR_COMMENTS_LIMIT_PER_IP = 1
    reader.post("/comments/post/", post_data(article, body="الأول"))
    response = reader.post("/comments/post/", post_data(article, body="الثاني", author_email="b@example.org"))
    assert response.status_code == 429
    assert "كثيرة" in response.content.decode()


def test_article_page_sets_no_cookie_and_posting_needs_none(article):
    """No CSRF cookie for anonymous readers (pages stay cacheable); the
    post is guarded by the signed form token instead."""
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.77")
    response = strict.get(article.url)
    section = page(response).xpath('//section[@id="comments"]')[0]
    assert section.xpath(".//form") and not section.xpath('.//input[@name="csrfmiddlewaretoken"]')
    assert strict.post("/comments/post/", post_data(article)).status_code == 303
    forged = strict.post("/comments/post/", post_data(article, token="", body="بلا رمز"))
    assert forged.status_code == 400 and Comment.objects.count() == 1


def test_unknown_article_is_404(reader):
    assert reader.post("/comments/post/", {"article": "999999"}).status_code == 404
    assert reader.post("/comments/post/", {"article": "x"}).status_code == 404
    assert reader.get("/comments/post/").status_code == 405


def test_reply_without_javascript_and_depth_cap(reader, article, approved, settings):
    settings.NASHR_COMMENTS_MAX_DEPTH = 2
    top = approved(body="تعليق أعلى")
    reply = approved(body="رد عليه", parent_id=top.pk, author_email="r@example.org")
    doc = page(reader.get(article.url))
    top_link = doc.xpath(f'//li[@id="comment-{top.pk}"]/article//a[@data-reply-to]')[0]
    assert top_link.get("href") == f"?replyto={top.pk}#respond"
    assert not doc.xpath(f'//li[@id="comment-{reply.pk}"]/article//a[@data-reply-to]'), "depth cap"
    assert doc.xpath(f'//li[@id="comment-{top.pk}"]/ol/li[@id="comment-{reply.pk}"]'), "threaded"
    doc = page(reader.get(article.url + f"?replyto={top.pk}"))
    assert doc.xpath('//input[@name="parent"]')[0].get("value") == str(top.pk)
    assert "ردّ على" in doc.xpath('//h3[@id="respond-title"]')[0].text_content()
    response = reader.post("/comments/post/", post_data(article, body="ردي", parent=str(top.pk)))
    assert response.status_code == 303
    assert Comment.objects.latest("pk").parent_id == top.pk


def test_closed_comments_show_a_message_and_refuse_posts(reader, article, approved):
    approved(body="قبل الإغلاق")
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=False)
    doc = page(reader.get(article.url))
    section = doc.xpath('//section[@id="comments"]')[0]
    assert "التعليقات مغلقة على هذا المقال" in section.text_content()
    assert "قبل الإغلاق" in section.text_content(), "existing comments stay visible"
    assert not section.xpath(".//form") and not section.xpath(".//a[@data-reply-to]")
    response = reader.post("/comments/post/", post_data(article, body="بعد الإغلاق"))
    assert response.status_code == 403 and "مغلقة" in response.content.decode()
    assert Comment.objects.count() == 1


def test_comments_close_by_age(reader, article, settings):
    from datetime import timedelta

    from django.utils import timezone

    ArticlePage.objects.filter(pk=article.pk).update(date_published=timezone.now() - timedelta(days=30))
    settings.NASHR_COMMENTS_CLOSE_AFTER_DAYS = 7
    section = page(reader.get(article.url)).xpath('//section[@id="comments"]')[0]
    assert "أُغلق باب التعليق" in section.text_content() and not section.xpath(".//form")


def test_counts_on_cards(reader, site, approved, django_assert_max_num_queries):
    first, second = site["articles"][0], site["articles"][1]
    approved(target=first, body="1")
    approved(target=first, body="2", author_email="b@example.org")
    approved(target=second, body="3", author_email="c@example.org")
    html = reader.get(site["sections"][0].url).content.decode()
    assert re.search(rf'href="{re.escape(first.url)}#comments">تعليقان<', html)
    assert re.search(rf'href="{re.escape(second.url)}#comments">تعليق واحد<', html)
    home = reader.get("/").content.decode()
    assert "تعليقان" in home and "تعليق واحد" in home


def test_card_counts_cost_one_query_per_page(reader, site, approved):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approved(target=site["articles"][0], body="1")
    with CaptureQueriesContext(connection) as queries:
        reader.get("/")
    counting = [q["sql"] for q in queries.captured_queries if "comments_comment" in q["sql"]]
    assert len(counting) == 1, counting


def test_control_characters_get_an_arabic_error(reader, article):
    response = reader.post("/comments/post/", post_data(
        article, author_name="سارة\x00", author_email="sara\x00@example.org", body="نص\x00"))
    assert response.status_code == 400
    doc = page(response)
    for field in ("name", "email", "body"):
        error = doc.xpath(f'//*[@id="cm-{field}-error"]')[0].text_content()
        assert re.search("[\u0600-\u06ff]", error) and "Null" not in error, (field, error)
    assert Comment.objects.count() == 0
