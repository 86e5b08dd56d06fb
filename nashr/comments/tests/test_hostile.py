"""A hostile-input corpus, each stored as typed and rendered safely on the
article page, in the moderation queue, in the feeds and in the emails; and
the commenter's email and IP never reach a public page or feed."""

import re

import feedparser
import pytest
from lxml import html as lxml_html

from nashr.comments.models import Comment
from nashr.comments.services import comment_approve
from tests.hostile.conftest import active_markup

from .conftest import CLIENT_IP, post_data

pytestmark = pytest.mark.django_db

CORPUS = {
    "script": "<script>alert('x')</script>",
    "handler": '<img src=x onerror="alert(1)"><svg onload=alert(2)>',
    "attr-break": '"><a href="javascript:alert(3)">اضغط</a>',
    "js-url": "javascript:alert(4)",
    "js-url-case-space": " JaVaScRiPt\t:alert(5) \n jAvAsCrIpT:alert(6)",
    "data-url": "data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==",
    "data-url-case": "DaTa:text/html,<script>alert(8)</script>",
    "link-with-quote": 'https://example.org/"onmouseover="alert(9)',
    "bidi": "تعليق \u202eأخبار\u202c و \u2066Nashr\u2069 \u202bمضمّن",
    "entities": "&lt;script&gt;alert(10)&lt;/script&gt; &amp;",
    "style": "<style>body{display:none}</style><iframe src=//evil.example></iframe>",
}
HOSTILE_NAME = '<b onmouseover="alert(11)">سارة</b>\u202e'
HOSTILE_URL = " JAVASCRIPT:alert(12)"
SECRET_EMAIL = "secret.reader+comments@private.example"


@pytest.fixture
def corpus(reader, article, settings):
    """Every corpus entry posted through the real form by a reader, then
    approved; returns ``{key: comment}``."""
    settings.NASHR_COMMENTS_LIMIT_PER_IP = 100
    comments = {}
    for i, (key, body) in enumerate(CORPUS.items()):
        response = reader.post("/comments/post/", post_data(
            article, body=body, author_name=HOSTILE_NAME, author_url=HOSTILE_URL,
            author_email=f"{i}.{SECRET_EMAIL}"))
        assert response.status_code == 303, (key, response.content[:300])
        comments[key] = Comment.objects.latest("pk")
        comment_approve(comment=comments[key])
    return comments


def test_corpus_is_stored_as_typed(corpus):
    for key, comment in corpus.items():
        comment.refresh_from_db()
        assert comment.body == CORPUS[key].strip(), key
        assert comment.author_name == HOSTILE_NAME.strip()
        assert comment.author_url == "", "only http(s) websites are kept"


def _visible_text(html: bytes) -> str:
    return lxml_html.document_fromstring(html).text_content()


def test_corpus_renders_safely_on_the_article_page(reader, article, corpus):
    response = reader.get(article.url)
    assert active_markup(response.content) == []
    doc = lxml_html.document_fromstring(response.content)
    section = doc.xpath('//section[@id="comments"]')[0]
    assert not section.xpath(".//script | .//style | .//iframe | .//img | .//svg")
    hrefs = [a.get("href") for a in section.xpath(".//a[@href]")]
    assert all(h.startswith(("https://", "http://", "#", "?", "/")) for h in hrefs), hrefs
    text = section.text_content()
    assert "<script>alert('x')</script>" in text, "markup shows as text"
    assert "\u202e" not in text and "\u202b" not in text and "\u2066" not in text
    for a in section.xpath('.//div[contains(@class, "cm__body")]//a'):
        assert a.get("rel") == "nofollow ugc noopener"
    # the URL with a quote stops at the quote: the rest is text
    assert 'href="https://example.org/"' in response.content.decode()


def test_corpus_renders_safely_in_the_moderation_queue(editor_client, corpus):
    response = editor_client.get("/admin/comments/?status=approved")
    assert response.status_code == 200
    doc = lxml_html.document_fromstring(response.content)
    rows = doc.xpath('//tr[contains(@class, "cm-queue__row")]')
    assert len(rows) == len(CORPUS)
    for row in rows:
        assert not row.xpath(".//script | .//style | .//iframe | .//img | .//svg")
        for el in row.iter():
            assert not [n for n in el.attrib if n.lower().startswith("on")]
            href = el.get("href") or ""
            assert not re.sub(r"\s", "", href).lower().startswith(("javascript:", "data:"))


def test_corpus_renders_safely_in_the_feeds(client, article, corpus):
    for url in ("/comments/feed/", f"/comments/feed/{article.pk}/"):
        response = client.get(url)
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0
        for entry in feed.entries:
            doc = lxml_html.fragment_fromstring(entry.summary, create_parent="div")
            assert not doc.xpath(".//script | .//style | .//iframe | .//img | .//svg")
            assert all(a.get("href").startswith(("http://", "https://")) for a in doc.xpath(".//a"))
            assert "\u202e" not in entry.title + entry.author


def test_corpus_renders_safely_in_emails(corpus, editor, smtp, settings, article):
    from nashr.comments import notifications

    settings.NASHR_COMMENTS_NOTIFY_EDITORS = True
    parent = corpus["script"]
    Comment.objects.filter(pk=parent.pk).update(notify_replies=True, notify_confirmed_at=parent.created_at,
                                                author_email="parent.reader@example.org")
    for comment in corpus.values():
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
        assert notifications.comment_editors_notify(comment_id=comment.pk) == 1
    reply = Comment.objects.create(article=article, parent=parent, depth=1, author_name=HOSTILE_NAME,
                                   author_email="other@example.org", body=CORPUS["handler"],
                                   status=Comment.Status.APPROVED)
    assert notifications.comment_reply_notify(reply_id=reply.pk) == 1
    messages = smtp.handler.parsed()
    assert len(messages) == len(CORPUS) + 1
    for message in messages:
        html = message.get_body(("html",)).get_content()
        doc = lxml_html.document_fromstring(html)
        assert not doc.xpath("//script | //style | //iframe | //img | //svg")
        for el in doc.iter():
            assert not [n for n in el.attrib if n.lower().startswith("on")]
        assert "\u202e" not in message.get_body(("plain",)).get_content()
        assert "\n" not in str(message["Subject"])
    reply_mail = messages[-1]
    assert "other@example.org" not in reply_mail.as_string(), "no other reader's address"


def test_email_and_ip_never_appear_in_public_pages_or_feeds(reader, site, article, corpus, approved):
    reply = approved(body="رد", parent_id=corpus["script"].pk, author_email=SECRET_EMAIL)
    public = [
        reader.get(article.url), reader.get(f"{article.url}?replyto={reply.pk}"),
        reader.get("/"), reader.get(site["sections"][0].url),
        reader.get("/comments/feed/"), reader.get(f"/comments/feed/{article.pk}/"),
        reader.get("/feed/"),
    ]
    ip_hash = corpus["script"].ip_hash
    for response in public:
        assert response.status_code == 200
        body = response.content.decode()
        assert "private.example" not in body and SECRET_EMAIL not in body
        assert CLIENT_IP not in body and ip_hash not in body and ip_hash[:12] not in body
