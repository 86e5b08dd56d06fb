"""An issue of a real article, built for several recipients with Arabic
names, sent over real SMTP to an aiosmtpd server on 127.0.0.1, and checked
as it arrived: headers decoded word by word, RTL HTML with inlined CSS,
per-recipient links that match List-Unsubscribe, absolute article links."""

from __future__ import annotations

import base64
import email
import re
import smtplib
import socket
import threading
from email import policy
from email.header import decode_header, make_header

import lxml.html
import pytest
from aiosmtpd.controller import Controller

from nashr.articles.selectors import page_absolute_url
from nashr.articles.tests.factories import build_site
from nashr.newsletter.message import issue_prepare
from nashr.newsletter.models import Issue
from nashr.newsletter.rendering import issue_render

SITE = "https://news.example.com"
ENCODED_WORD = re.compile(rb"=\?utf-8\?b\?([^?]*)\?=", re.IGNORECASE)
FROM_NAME = "نشرة الصباح — أخبار مستقلة من القاهرة والإسكندرية وأسوان كل صباح"
RECIPIENTS = [
    ("sara@example.org", "سارة الحسن"),
    ("omar.k@example.net", "عبد الرحمن بن محمد بن عبد الله الحسيني القرشي"),  # several encoded-words
    ("lina@example.com", "لينا \"أم يوسف\" <المحررة>"),  # specials inside an Arabic name
    ("sam@example.com", "Sam O'Neil"),
    ("noname@example.com", ""),
]


class Recorder:
    """Keeps what arrived: (MAIL FROM, RCPT TOs, the DATA bytes as received)."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 queued"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def issue(settings, db):
    settings.SITE_URL = SITE
    settings.NASHR_SITE_NAME = "نشرة الصباح"
    settings.NASHR_NEWSLETTER_FROM_NAME = FROM_NAME
    settings.NASHR_NEWSLETTER_FROM_EMAIL = "news@news.example.com"
    settings.NASHR_UNSUBSCRIBE_MAILTO = "unsubscribe@news.example.com"
    article = build_site(articles_per_section=1)["articles"][0]
    issue = Issue.objects.create(
        article=article, subject=f"{article.title}: الزيارة الأولى منذ عشر سنوات، والسوق القديمة تفتح أبوابها")
    issue.html_template, issue.text_template = issue_render(issue=issue)
    issue.save()
    return issue


def raw_header(data: bytes, name: str) -> bytes:
    """The header's raw lines (folding kept), from the message as received."""
    head = data.split(b"\r\n\r\n", 1)[0]
    match = re.search(rb"^" + name.encode() + rb":.*?(?=\r\n(?! ))", head, re.M | re.S | re.I)
    return match.group(0)


def unsubscribe_url(n: int) -> str:
    return f"{SITE}/newsletter/unsubscribe/tok{n}x/?s=1&k=abc{n}"


def test_issue_arrives_over_smtp_as_built(issue, smtp_server):
    recorder, port = smtp_server
    prepared = issue_prepare(issue=issue, signer=None)
    built = [
        prepared.build(to_email=address, to_name=name, unsubscribe_url=unsubscribe_url(n),
                       manage_url=f"{SITE}/newsletter/manage/tok{n}x/")
        for n, (address, name) in enumerate(RECIPIENTS)
    ]
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for message, (address, _) in zip(built, RECIPIENTS):
            refused = smtp.sendmail(prepared.from_email, [address], message.data)
            assert refused == {}

    assert [(f, to) for f, to, _ in recorder.received] == [
        ("news@news.example.com", [address]) for address, _ in RECIPIENTS]
    # what arrived is byte for byte what was built
    assert [data for _, _, data in recorder.received] == [m.data for m in built]
    assert len({m.message_id for m in built}) == len(RECIPIENTS)

    article_url = page_absolute_url(issue.article)
    for n, ((address, name), (_, _, data), sent) in enumerate(zip(RECIPIENTS, recorder.received, built)):
        msg = email.message_from_bytes(data, policy=policy.default)
        assert not msg.defects
        assert msg["Subject"] == issue.subject
        assert msg["From"].addresses[0].addr_spec == "news@news.example.com"
        assert msg["To"].addresses[0].addr_spec == address
        assert msg["Message-ID"] == sent.message_id
        assert re.fullmatch(rf"<[0-9a-f]{{33,48}}\.{issue.pk}@news\.example\.com>", sent.message_id)
        assert msg["List-Id"] == "نشرة الصباح <newsletter.news.example.com>"

        # Every encoded-word of Subject, From and To decodes on its own, and
        # the words together (RFC 2047 §6.2) give back the exact text.
        for header, expected in (("Subject", issue.subject), ("From", FROM_NAME), ("To", name)):
            raw = raw_header(data, header)
            assert all(len(line) <= 76 for line in raw.split(b"\r\n")), raw
            words = ENCODED_WORD.findall(raw)
            pieces = [base64.b64decode(w, validate=True).decode("utf-8") for w in words]
            if expected.isascii():
                assert not words
                continue
            assert "".join(pieces) == expected
            phrase = raw.decode("ascii").split(":", 1)[1].replace("\r\n", "").rsplit(" <", 1)[0]
            assert str(make_header(decode_header(phrase))) == expected
        if len(ENCODED_WORD.findall(raw_header(data, "To"))) <= 1:
            assert msg["To"].addresses[0].display_name == name  # (see test_message for CPython gh-128110)

        # RFC 8058 one-click unsubscribe headers
        assert re.search(rb"^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$", data, re.M)
        https_uri, mailto_uri = re.findall(r"<([^>]+)>", msg["List-Unsubscribe"])
        assert https_uri == unsubscribe_url(n)
        assert mailto_uri == "mailto:unsubscribe@news.example.com?subject=unsubscribe"

        text_part, html_part = msg.iter_parts()
        html = html_part.get_content()
        doc = lxml.html.document_fromstring(html)
        assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"
        wrapper = doc.find(".//table")
        assert wrapper.get("dir") == "rtl"
        assert "direction: rtl" in wrapper.get("style") and "text-align: right" in wrapper.get("style")
        assert "font-size: 28px" in doc.find_class("headline")[0].get("style")  # css-inline ran
        footer_links = {a.text_content(): a.get("href") for a in doc.find_class("footer")[0].iter("a")}
        assert footer_links["إلغاء الاشتراك"] == https_uri  # the same URI as List-Unsubscribe
        assert footer_links["إدارة الاشتراك"] == f"{SITE}/newsletter/manage/tok{n}x/"
        assert "%%" not in html
        button = doc.find_class("button")[0]
        assert button.get("href") == article_url and article_url.startswith(SITE + "/")

        text = text_part.get_content()
        assert issue.article.title in text
        assert article_url in text
        assert unsubscribe_url(n) in text and f"{SITE}/newsletter/manage/tok{n}x/" in text
        assert "%%" not in text
