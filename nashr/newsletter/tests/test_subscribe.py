"""Subscribing with double opt-in: what a reader sees, what is stored, and
which emails leave (Django's locmem outbox; one test over real SMTP)."""

from __future__ import annotations

import base64
import email
import email.policy
import re
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.utils import timezone

from nashr.newsletter.models import Subscriber, Suppression
from nashr.newsletter.ratelimit import client_ip, rate_limit_hit
from nashr.newsletter.subscriptions import (
    SubscribeOutcome, subscriber_subscribe, subscribers_expire_unconfirmed,
)
from nashr.newsletter.tokens import confirm_token_make, confirm_url_for

# Confirmation and welcome emails are sent by background tasks; run them at
# once here so each test sees the email its request caused.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

SUBSCRIBE = "/newsletter/subscribe/"
NEUTRAL = "تحقّق من بريدك"
CONTROL_ERROR = "فواصل أسطر أو محارف تحكّم"
INVALID_ERROR = "لا يبدو بريدًا إلكترونيًا صالحًا"


@pytest.fixture(autouse=True)
def newsletter_settings(settings):
    """Outbox backend, a known site, and empty rate-limit counters."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://news.example"
    settings.NASHR_SITE_NAME = "نشرة الصباح"
    settings.NASHR_NEWSLETTER_FROM_NAME = "نشرة الصباح"
    settings.NASHR_NEWSLETTER_FROM_EMAIL = "news@news.example"
    settings.NASHR_UNSUBSCRIBE_MAILTO = "unsubscribe@news.example"
    settings.NASHR_CONFIRMATION_MAX_AGE_HOURS = 72
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST like a browser, running the on-commit callbacks (the emails)
    that a real request runs after its transaction commits."""

    def _post(url, data=None, *, using=None, ip="203.0.113.7", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return (using or client).post(url, data or {}, REMOTE_ADDR=ip, **extra)

    return _post


def confirm_link(message) -> str:
    """The confirm URL from a confirmation email's plain-text part."""
    match = re.search(r"https://news\.example(/newsletter/confirm/[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def decoded_subject(message) -> str:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return parsed["Subject"]


def assert_encoded_words_stand_alone(raw: bytes) -> None:
    """Every RFC 2047 encoded-word of the Subject decodes to whole UTF-8
    characters by itself, and the first one shares the "Subject:" line."""
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("ascii")
    subject = re.search(r"^Subject:(.*(?:\r?\n[ \t].*)*)", headers, re.M).group(1)
    assert subject.startswith(" =?utf-8?b?"), subject
    words = re.findall(r"=\?utf-8\?b\?([A-Za-z0-9+/=]+)\?=", subject)
    assert words
    for word in words:
        base64.b64decode(word).decode("utf-8")  # raises if a character was split


def neutral_html(response, address: str) -> str:
    """The page without the parts that differ by design: the echoed address
    and the per-render CSRF token."""
    html = response.content.decode().replace(address, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


# --- the form -----------------------------------------------------------------

def test_subscribe_page_has_a_labelled_rtl_form_that_needs_no_javascript(client):
    html = client.get(SUBSCRIBE).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    # heading names the site once, not "نشرة نشرة الصباح"
    assert "اشترك في نشرة الصباح</h1>" in html
    assert "نشرة نشرة" not in html
    assert "تصلك أحدث المقالات إلى بريدك" in html
    assert 'method="post" action="/newsletter/subscribe/"' in html
    # no CSRF token (and so no cookie) on public pages; see views.subscribe
    assert 'name="csrfmiddlewaretoken"' not in html
    for field in ("email", "name"):
        assert f'<label class="nl-field__label" for="page-nl-{field}">' in html
        assert f'id="page-nl-{field}"' in html
    assert 'type="email" name="email" required' in html
    # honeypot: out of the accessibility tree and the tab order
    assert re.search(r'<p class="nl-hp" aria-hidden="true">.*?name="website" tabindex="-1"', html, re.S)
    assert "newsletter/newsletter.css" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_site_name_without_the_word_newsletter_gets_it_in_the_heading(client, settings):
    settings.NASHR_SITE_NAME = "المدينة"
    assert "اشترك في نشرة المدينة</h1>" in client.get(SUBSCRIBE).content.decode()


def test_new_address_is_stored_pending_and_sent_one_arabic_confirmation(post):
    response = post(SUBSCRIBE, {"email": "  Reader.Name@News.EXAMPLE.com ", "name": "سارة العلي",
                                "source": "article"})
    assert response.status_code == 200
    html = response.content.decode()
    assert NEUTRAL in html
    assert '<bdi dir="ltr" class="nl-address">Reader.Name@news.example.com</bdi>' in html

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader.Name@news.example.com"  # local part as typed
    assert subscriber.email_key == "reader.name@news.example.com"
    assert subscriber.name == "سارة العلي"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source == "article"
    assert subscriber.confirmation_sent_at is not None

    [message] = mail.outbox
    assert message.to == ["Reader.Name@news.example.com"]
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert str(parsed["From"]) == "نشرة الصباح <news@news.example>"
    assert parsed["Subject"] == "أكّد اشتراكك في نشرة الصباح"
    assert_encoded_words_stand_alone(message.message().as_bytes())
    html_part, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="ar" dir="rtl">' in html_part
    assert '<table role="presentation" dir="rtl"' in html_part and '<td dir="rtl"' in html_part
    assert confirm_link(message) in html_part
    assert "72 ساعة" in message.body
    # the stranger-supplied name is not mailed before the owner confirms
    assert "سارة" not in message.body and "سارة" not in html_part


def test_same_page_for_new_pending_confirmed_unsubscribed_and_suppressed_addresses(post):
    Subscriber.objects.create(email="pending@example.com", email_key="pending@example.com",
                              confirmation_sent_at=timezone.now())
    Subscriber.objects.create(email="member@example.com", email_key="member@example.com",
                              status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    Suppression.objects.create(email_key="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    pages = {}
    for i, address in enumerate(["new@example.com", "pending@example.com",
                                 "member@example.com", "bounced@example.com"]):
        response = post(SUBSCRIBE, {"email": address}, ip=f"198.51.100.{i}")
        assert response.status_code == 200
        pages[address] = neutral_html(response, address)
    assert len(set(pages.values())) == 1
    assert NEUTRAL in pages["member@example.com"]
    # only the new address was mailed; nothing stored for the suppressed one
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert not Subscriber.objects.filter(email_key="bounced@example.com").exists()
    assert Subscriber.objects.get(email_key="member@example.com").status == Subscriber.Status.CONFIRMED


def test_at_most_one_confirmation_email_per_address_per_24_hours(post):
    post(SUBSCRIBE, {"email": "once@example.com"})
    response = post(SUBSCRIBE, {"email": "once@example.com"})
    assert NEUTRAL in response.content.decode()
    assert len(mail.outbox) == 1

    # 23 hours later: still nothing
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=23))
    post(SUBSCRIBE, {"email": "ONCE@example.com"}, ip="203.0.113.8")
    assert len(mail.outbox) == 1
    assert Subscriber.objects.count() == 1  # same key, one row

    # 25 hours later: a fresh link (the hourly rate-limit counters are long gone)
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=25))
    cache.clear()
    post(SUBSCRIBE, {"email": "once@example.com"}, ip="203.0.113.9")
    assert len(mail.outbox) == 2
    assert timezone.now() - Subscriber.objects.get().confirmation_sent_at < timedelta(minutes=1)


def test_a_stranger_cannot_rename_a_subscriber(post):
    post(SUBSCRIBE, {"email": "named@example.com", "name": "منى"})
    post(SUBSCRIBE, {"email": "named@example.com", "name": "اسم آخر"}, ip="192.0.2.50")
    assert Subscriber.objects.get().name == "منى"


@pytest.mark.parametrize("address", [
    "victim@example.com\r\nBcc: everyone@example.org",
    "victim@example.com\n",
    "victim@example.com\r",
    "vic\x00tim@example.com",
    "victim@example.com\u2028",
    "victim@example.com\u2029",
    "victim@example.com\x85",
    "victim@example.com\t",
    '"vic\x0btim"@example.com',
])
def test_header_injection_in_the_address_is_refused_and_nothing_stored(post, address):
    response = post(SUBSCRIBE, {"email": address})
    html = response.content.decode()
    assert CONTROL_ERROR in html
    assert 'aria-invalid="true" aria-describedby="page-nl-email-error"' in html
    assert NEUTRAL not in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", [
    "سارة\r\nBcc: everyone@example.org",
    "Sara\nX-Evil: 1",
    "سا\x00رة",
    "سارة\u2028العلي",
    "سارة\x1b[31m",
])
def test_header_injection_in_the_name_is_refused_and_nothing_stored(post, name):
    response = post(SUBSCRIBE, {"email": "sara@example.com", "name": name})
    html = response.content.decode()
    assert "لا يمكن أن يحتوي الاسم على فواصل أسطر أو محارف تحكّم" in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_arabic_name_is_kept_and_bidi_controls_are_stripped(post):
    post(SUBSCRIBE, {"email": "a@example.com", "name": "\u202eعبد\u200cالله   \u2067بن\u2069 زيد "})
    # ZWNJ (U+200C) belongs to the name and stays; RLO/RLI/PDI go
    assert Subscriber.objects.get().name == "عبد\u200cالله بن زيد"


def test_overlong_name_is_refused(post):
    response = post(SUBSCRIBE, {"email": "a@example.com", "name": "ن" * 201})
    assert "الاسم أطول من المسموح" in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("address", [
    "not-an-address", "@example.com", "reader@", "reader@example", "reader@localhost",
    "reader@[127.0.0.1]", "two words@example.com", "zero\u200bwidth@example.com",
    "reader@exa\u00adample.com", "a" * 65 + "@example.com",
])
def test_invalid_addresses_get_an_arabic_error(post, address):
    html = post(SUBSCRIBE, {"email": address}).content.decode()
    assert INVALID_ERROR in html
    assert not Subscriber.objects.exists()


def test_missing_address_says_so(post):
    assert "أدخل عنوان بريدك الإلكتروني" in post(SUBSCRIBE, {"email": "   "}).content.decode()


def test_internationalised_domain_is_accepted_and_keyed_by_its_ascii_form(post):
    post(SUBSCRIBE, {"email": "Qari@مثال.مصر"})
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Qari@مثال.مصر"
    assert subscriber.email_key == "qari@xn--mgbh0fb.xn--wgbh1c"
    [message] = mail.outbox
    assert "To: Qari@xn--mgbh0fb.xn--wgbh1c" in message.message().as_string()


def test_honeypot_gets_the_same_page_and_nothing_is_stored_or_sent(post):
    bot = post(SUBSCRIBE, {"email": "target@example.com", "website": "http://spam.example"})
    human = post(SUBSCRIBE, {"email": "human@example.com"}, ip="192.0.2.1")
    assert bot.status_code == human.status_code == 200
    assert neutral_html(bot, "target@example.com") == neutral_html(human, "human@example.com")
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["human@example.com"]
    assert [m.to for m in mail.outbox] == [["human@example.com"]]


# --- rate limits ------------------------------------------------------------

def test_per_ip_limit_shows_the_same_page_and_sends_nothing(post, settings):
    settings.NASHR_SUBSCRIBE_LIMIT_PER_IP = 5
    for i in range(5):
        post(SUBSCRIBE, {"email": f"reader{i}@example.com"}, ip="203.0.113.50")
    over = post(SUBSCRIBE, {"email": "reader5@example.com"}, ip="203.0.113.50")
    assert over.status_code == 200 and NEUTRAL in over.content.decode()
    assert len(mail.outbox) == 5
    assert not Subscriber.objects.filter(email="reader5@example.com").exists()
    # another client is not affected
    post(SUBSCRIBE, {"email": "reader6@example.com"}, ip="203.0.113.51")
    assert mail.outbox[-1].to == ["reader6@example.com"]


def test_ipv6_clients_are_limited_per_64_network(post, settings):
    settings.NASHR_SUBSCRIBE_LIMIT_PER_IP = 2
    for i, ip in enumerate(["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"]):
        post(SUBSCRIBE, {"email": f"v6-{i}@example.com"}, ip=ip)
    assert [m.to[0] for m in mail.outbox] == ["v6-0@example.com", "v6-1@example.com"]


def test_per_address_limit_holds_across_ips(post, settings):
    settings.NASHR_SUBSCRIBE_LIMIT_PER_ADDRESS = 3
    for i in range(4):
        # make every attempt otherwise due for a new confirmation email
        Subscriber.objects.update(confirmation_sent_at=None)
        response = post(SUBSCRIBE, {"email": "inbox@example.com"}, ip=f"192.0.2.{10 + i}")
        assert NEUTRAL in response.content.decode()
    assert len(mail.outbox) == 3
    outcome = subscriber_subscribe(email="inbox@example.com", client_ip="192.0.2.99")
    assert outcome == SubscribeOutcome.RATE_LIMITED


def test_rate_limit_window_is_fixed_and_then_resets():
    start = 1_000_000 * 600  # the start of a 600-s window
    hits = [rate_limit_hit(scope="t", key="k", limit=2, window_s=600, now=start + s) for s in (0, 10, 20, 599)]
    assert hits == [True, True, False, False]
    assert rate_limit_hit(scope="t", key="k", limit=2, window_s=600, now=start + 600) is True
    assert rate_limit_hit(scope="t", key="other", limit=2, window_s=600, now=start + 20) is True


def test_client_ip_behind_a_proxy_uses_the_configured_header(rf, settings):
    request = rf.post(SUBSCRIBE, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    assert client_ip(request) == "127.0.0.1"
    settings.NASHR_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request) == "198.51.100.4"  # the entry our proxy appended


# --- email failures -------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_down_shows_the_neutral_page_keeps_the_sign_up_and_retries_later(post, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    response = post(SUBSCRIBE, {"email": "patient@example.com"})
    assert response.status_code == 200 and NEUTRAL in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.confirmation_sent_at is None  # so it can be retried

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post(SUBSCRIBE, {"email": "patient@example.com"})
    assert [m.to for m in mail.outbox] == [["patient@example.com"]]
    subscriber.refresh_from_db()
    assert subscriber.confirmation_sent_at is not None


# --- confirming -----------------------------------------------------------------

def test_confirm_link_get_changes_nothing_and_post_confirms_and_welcomes_once(client, post):
    post(SUBSCRIBE, {"email": "reader@example.com", "name": "ليلى"})
    link = confirm_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "أكّد اشتراكي</button>" in html and 'method="post"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert len(mail.outbox) == 1

    done = post(link)
    assert done.status_code == 200
    assert "تمّ تأكيد اشتراكك" in done.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    welcome = mail.outbox[1]
    assert decoded_subject(welcome) == "أهلًا بك في نشرة الصباح"
    assert "أهلًا بك يا ليلى" in welcome.body
    assert "/newsletter/unsubscribe/" in welcome.body and "/newsletter/manage/" in welcome.body
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert welcome.extra_headers["List-Unsubscribe"].startswith("<https://news.example/newsletter/unsubscribe/")
    assert "<mailto:unsubscribe@news.example?subject=unsubscribe>" in welcome.extra_headers["List-Unsubscribe"]

    again = post(link)
    assert "اشتراكك مؤكَّد" in again.content.decode()
    assert len(mail.outbox) == 2  # one welcome, ever
    assert Subscriber.objects.get().confirmed_at == subscriber.confirmed_at


def test_expired_confirm_link_explains_and_offers_the_form(client, monkeypatch):
    subscriber = Subscriber.objects.create(email="late@example.com", email_key="late@example.com")
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 73 * 3600)
    token = confirm_token_make(subscriber=subscriber)
    monkeypatch.setattr(signing.time, "time", real_time)

    for method in (client.get, client.post):
        response = method(f"/newsletter/confirm/{token}/")
        assert response.status_code == 410
        html = response.content.decode()
        assert "انتهت صلاحية رابط التأكيد" in html
        assert 'action="/newsletter/subscribe/"' in html and 'for="again-nl-email"' in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_tampered_or_foreign_confirm_links_are_refused(client):
    a = Subscriber.objects.create(email="a@example.com", email_key="a@example.com")
    b = Subscriber.objects.create(email="b@example.com", email_key="b@example.com")
    token = confirm_token_make(subscriber=a)
    sid, ts, sig = token.split(":")
    tampered = [
        f"{sid}:{ts}:{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}",  # signature changed
        f"{b.pk}:{ts}:{sig}",  # a's signature on b's id
        f"{sid}:{ts}",  # truncated
        "not-a-token",
        f"{sid}:{ts}:{sig}extra",
    ]
    for bad in tampered:
        response = client.post(f"/newsletter/confirm/{bad}/")
        assert response.status_code == 400, bad
        assert "هذا الرابط غير صالح" in response.content.decode()
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Subscriber.Status.PENDING}

    # the id now belongs to another address (row deleted, id reused)
    Subscriber.objects.filter(pk=a.pk).update(email="c@example.com", email_key="c@example.com")
    assert client.post(f"/newsletter/confirm/{token}/").status_code == 400
    assert Subscriber.objects.get(pk=a.pk).status == Subscriber.Status.PENDING


def test_confirm_link_is_absolute_ascii_on_the_site_url():
    subscriber = Subscriber.objects.create(email="a@example.com", email_key="a@example.com")
    url = confirm_url_for(subscriber)
    assert url.isascii() and urlsplit(url).netloc == "news.example"
    assert url.startswith("https://news.example/newsletter/confirm/")


# --- expiry -------------------------------------------------------------------------

def test_expire_unconfirmed_removes_only_stale_sign_ups():
    now = timezone.now()
    old = now - timedelta(hours=73)

    def make(key, **fields):
        s = Subscriber.objects.create(email=key, email_key=key,
                                      status=fields.pop("status", Subscriber.Status.PENDING), **fields)
        Subscriber.objects.filter(pk=s.pk).update(created_at=fields.get("created_at", old))
        return s

    make("stale@example.com", confirmation_sent_at=old)
    make("never-sent@example.com")
    make("fresh@example.com", created_at=now)
    make("resent@example.com", confirmation_sent_at=now - timedelta(hours=2))
    make("member@example.com", status=Subscriber.Status.CONFIRMED, confirmed_at=old)
    make("came-back@example.com", confirmation_sent_at=old, unsubscribed_at=old)

    assert subscribers_expire_unconfirmed(now=now) == 3
    remaining = dict(Subscriber.objects.values_list("email_key", "status"))
    assert remaining == {
        "fresh@example.com": "pending",
        "resent@example.com": "pending",
        "member@example.com": "confirmed",
        "came-back@example.com": "unsubscribed",
    }
    assert subscribers_expire_unconfirmed(now=now) == 0


# --- over real SMTP -----------------------------------------------------------------

class _Collector:
    def __init__(self):
        self.envelopes = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        self.arrived.set()
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_closed_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield collector
    controller.stop()


def test_confirmation_over_real_smtp_then_link_confirms_and_welcome_arrives(smtp_server, client, post):
    response = post(SUBSCRIBE, {"email": "Reader@Example.com", "name": "هدى"})
    assert NEUTRAL in response.content.decode()
    assert len(smtp_server.envelopes) == 1
    mail_from, rcpts, data = smtp_server.envelopes[0]
    assert mail_from == "news@news.example" and rcpts == ["Reader@example.com"]

    raw = email.message_from_bytes(data, policy=email.policy.compat32)
    assert "=?utf-8?" in raw["Subject"]  # RFC 2047 on the wire
    assert_encoded_words_stand_alone(data)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Subject"] == "أكّد اشتراكك في نشرة الصباح"
    assert message["From"].addresses[0].display_name == "نشرة الصباح"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html
    link = re.search(r"https://news\.example(/newsletter/confirm/\S+/)", text).group(1)

    page = client.get(link)
    assert "أكّد اشتراكي</button>" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    confirmed = post(link)
    assert "تمّ تأكيد اشتراكك" in confirmed.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    assert len(smtp_server.envelopes) == 2
    welcome = email.message_from_bytes(smtp_server.envelopes[1][2], policy=email.policy.default)
    assert welcome["Subject"] == "أهلًا بك في نشرة الصباح"
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "أهلًا بك يا هدى" in welcome.get_body(("plain",)).get_content()


def test_sign_up_request_sends_nothing_itself_and_its_queued_task_sends_one_confirmation(
        settings, client, django_capture_on_commit_callbacks):
    """With the real database task backend, the request only stores the
    sign-up and queues a task (so a new address answers as fast as a known
    one); the worker's task sends the confirmation, once even if run twice."""
    from django_tasks_db.models import DBTaskResult

    from nashr.newsletter.tasks import confirmation_send_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBSCRIBE, {"email": "queued@example.org"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert mail.outbox == []
    queued = DBTaskResult.objects.filter(task_path__endswith="confirmation_send_task")
    assert queued.count() == 1
    subscriber = Subscriber.objects.get()
    assert list(queued.get().args_kwargs["args"]) == [subscriber.pk, True]

    assert confirmation_send_task.call(subscriber.pk, True) is True
    assert confirmation_send_task.call(subscriber.pk, True) is False
    assert [m.to for m in mail.outbox] == [["queued@example.org"]]
