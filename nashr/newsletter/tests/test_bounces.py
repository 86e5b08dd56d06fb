"""Bounces, complaints and provider unsubscribes: anymail's tracking signal
with real ``AnymailTrackingEvent`` objects, real provider payloads posted to
anymail's real webhook views (Postmark with basic auth, Mailgun with its
HMAC signature), and what deleting a subscriber keeps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from nashr.newsletter.bounces import (
    BounceOutcome, bounce_kind_for_event, bounce_record, provider_unsubscribe_record,
)
from nashr.newsletter.models import Delivery, Issue, ProviderEvent, Subscriber, Suppression
from nashr.newsletter.sending import issue_queue
from nashr.newsletter.subscriptions import SubscribeOutcome, subscriber_subscribe

pytestmark = pytest.mark.django_db

WEBHOOK_AUTH = "nashr-esp:b0unce-s3cret"
MAILGUN_KEY = "mailgun-signing-key-for-tests"


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


def make_subscriber(email="reader@example.com", status=Subscriber.Status.CONFIRMED, name="قارئ"):
    return Subscriber.objects.create(email=email, email_key=email.lower(), name=name, status=status,
                                     confirmed_at=timezone.now())


def make_delivery(subscriber, n=1, status=Delivery.Status.SENT):
    issue = Issue.objects.create(subject=f"العدد {n}", status=Issue.Status.SENT)
    return Delivery.objects.create(issue=issue, subscriber=subscriber, status=status, attempts=1,
                                   sent_at=timezone.now(),
                                   message_id=f"<{n:032x}.{issue.pk}@news.example>")


def send_event(esp_name="Mailgun", **kwargs):
    """Deliver one normalised event the way anymail's webhook views do."""
    tracking.send(sender=object, event=AnymailTrackingEvent(**kwargs), esp_name=esp_name)


def state(email="reader@example.com"):
    """What is stored for an address, in one comparable value."""
    subscriber = Subscriber.objects.filter(email_key=email).values("status", "soft_bounces").first()
    suppression = Suppression.objects.filter(email_key=email).values("reason", "detail").first()
    deliveries = list(Delivery.objects.filter(subscriber__email_key=email).order_by("pk")
                      .values_list("status", "last_error"))
    return subscriber, suppression, deliveries


# --- the signal receiver, with real AnymailTrackingEvent objects ---------------------------

def test_hard_bounce_suppresses_cleans_and_marks_the_delivery():
    reader = make_subscriber()
    delivery = make_delivery(reader)
    send_event(event_type="bounced", event_id="tok-1", recipient="Reader@example.com",
               message_id=delivery.message_id, reject_reason="bounced",
               mta_response="550 5.1.1 The email account that you tried to reach does not exist.")

    reader.refresh_from_db()
    delivery.refresh_from_db()
    assert reader.status == Subscriber.Status.CLEANED
    suppression = Suppression.objects.get(email_key="reader@example.com")
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert "550 5.1.1" in suppression.detail and "Mailgun bounced" in suppression.detail
    assert delivery.status == Delivery.Status.BOUNCED
    assert "550 5.1.1" in delivery.last_error
    assert ProviderEvent.objects.filter(event_id="Mailgun:tok-1").exists()


def test_the_same_event_twice_changes_nothing_more():
    reader = make_subscriber()
    delivery = make_delivery(reader)
    event = dict(event_type="bounced", event_id="tok-2", recipient="reader@example.com",
                 message_id=delivery.message_id, mta_response="550 5.1.1 no such user")
    send_event(**event)
    after_first = state()
    send_event(**event)
    assert state() == after_first
    assert ProviderEvent.objects.count() == 1
    assert bounce_record(email="reader@example.com", kind="hard", event_id="Mailgun:tok-2") == \
        BounceOutcome.DUPLICATE


def test_hard_bounce_without_event_id_is_idempotent_by_nature():
    make_subscriber()
    assert bounce_record(email="reader@example.com", kind="hard", detail="first") == BounceOutcome.SUPPRESSED
    first = state()
    assert bounce_record(email="reader@example.com", kind="hard", detail="second") == \
        BounceOutcome.ALREADY_SUPPRESSED
    assert state() == first  # the first detail is kept


def test_a_bounce_of_a_hand_suppressed_subscriber_cleans_them_and_keeps_the_entry():
    make_subscriber()
    Suppression.objects.create(email_key="reader@example.com", reason=Suppression.Reason.MANUAL, detail="asked")
    assert bounce_record(email="reader@example.com", kind="hard", detail="550") == \
        BounceOutcome.ALREADY_SUPPRESSED
    subscriber, suppression, _ = state()
    assert subscriber["status"] == Subscriber.Status.CLEANED
    assert suppression == {"reason": Suppression.Reason.MANUAL, "detail": "asked"}


def test_complaint_suppresses_and_marks_the_delivery_complained():
    reader = make_subscriber()
    delivery = make_delivery(reader)
    send_event(event_type="complained", event_id="c-1", recipient="reader@example.com",
               message_id=delivery.message_id.strip("<>"))  # a provider that drops the <>
    subscriber, suppression, deliveries = state()
    assert subscriber["status"] == Subscriber.Status.CLEANED
    assert suppression["reason"] == Suppression.Reason.COMPLAINT
    assert deliveries[0][0] == Delivery.Status.COMPLAINED


def test_soft_bounces_suppress_at_the_limit_only(settings):
    settings.NASHR_SOFT_BOUNCE_LIMIT = 3
    reader = make_subscriber()
    deliveries = [make_delivery(reader, n) for n in (1, 2, 3)]
    outcomes = []
    for n, delivery in enumerate(deliveries, start=1):
        outcomes.append(bounce_record(email="reader@example.com", kind="soft", message_id=delivery.message_id,
                                      detail="452 4.2.2 mailbox full", event_id=f"Mailgun:soft-{n}"))
        reader.refresh_from_db()
        if n < 3:
            assert reader.status == Subscriber.Status.CONFIRMED and reader.soft_bounces == n
            assert not Suppression.objects.exists()
    assert outcomes == [BounceOutcome.COUNTED, BounceOutcome.COUNTED, BounceOutcome.SUPPRESSED]
    subscriber, suppression, stored = state()
    assert subscriber == {"status": Subscriber.Status.CLEANED, "soft_bounces": 3}
    assert suppression["reason"] == Suppression.Reason.SOFT_BOUNCE
    assert suppression["detail"].startswith("3 consecutive soft bounces; last: 452 4.2.2")
    assert [status for status, _ in stored] == [Delivery.Status.BOUNCED] * 3


def test_soft_bounce_limit_is_a_setting(settings):
    settings.NASHR_SOFT_BOUNCE_LIMIT = 1
    make_subscriber()
    assert bounce_record(email="reader@example.com", kind="soft") == BounceOutcome.SUPPRESSED


def test_a_soft_bounce_reported_twice_for_one_delivery_counts_once():
    reader = make_subscriber()
    delivery = make_delivery(reader)
    for _ in range(2):  # no event id: e.g. the provider retried a webhook without one
        bounce_record(email="reader@example.com", kind="soft", message_id=delivery.message_id)
    reader.refresh_from_db()
    assert reader.soft_bounces == 1


def test_a_delivered_message_resets_the_soft_bounce_count():
    reader = make_subscriber()
    send_event(event_type="bounced", event_id="s1", recipient="reader@example.com",
               esp_event={"Type": "SoftBounce"}, esp_name="Postmark")
    send_event(event_type="bounced", event_id="s2", recipient="reader@example.com",
               mta_response="421 4.7.0 try again later")
    reader.refresh_from_db()
    assert reader.soft_bounces == 2
    send_event(event_type="delivered", event_id="d1", recipient="reader@example.com")
    send_event(event_type="bounced", event_id="s3", recipient="reader@example.com",
               description="Transient: MailboxFull", esp_name="Amazon SES")
    reader.refresh_from_db()
    assert reader.soft_bounces == 1 and reader.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.exists()


def test_deferred_opened_and_failed_events_change_nothing():
    make_subscriber()
    before = state()
    for event_type in ("deferred", "opened", "clicked", "failed", "queued", "sent"):
        send_event(event_type=event_type, event_id=f"x-{event_type}", recipient="reader@example.com",
                   mta_response="550 5.1.1 would be hard if it were a bounce")
    assert state() == before
    assert not ProviderEvent.objects.exists()


def test_rejected_because_the_provider_knows_it_bounces_is_hard():
    make_subscriber()
    send_event(event_type="rejected", reject_reason="bounced", event_id="r-1", recipient="reader@example.com")
    assert state()[1]["reason"] == Suppression.Reason.HARD_BOUNCE
    make_subscriber("policy@example.com")
    send_event(event_type="rejected", reject_reason="blocked", event_id="r-2", recipient="policy@example.com")
    assert state("policy@example.com")[1] is None


def test_provider_unsubscribe_unsubscribes_without_suppressing_and_a_replay_cannot_undo_a_resubscription():
    reader = make_subscriber()
    event = dict(event_type="unsubscribed", event_id="u-1", recipient="reader@example.com")
    send_event(**event)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED and reader.unsubscribed_at is not None
    assert not Suppression.objects.exists()
    Subscriber.objects.filter(pk=reader.pk).update(status=Subscriber.Status.CONFIRMED)  # resubscribed
    send_event(**event)  # the provider retries the old webhook
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert provider_unsubscribe_record(email="nobody@example.com") is False


def test_a_bounce_for_an_address_with_no_subscriber_still_suppresses_it():
    send_event(event_type="bounced", event_id="h-9", recipient="editor@news.example",
               mta_response="550 5.1.1 user unknown")
    assert Suppression.objects.get(email_key="editor@news.example").reason == Suppression.Reason.HARD_BOUNCE
    assert bounce_record(email="stranger@example.com", kind="soft") == BounceOutcome.IGNORED
    assert not Suppression.objects.filter(email_key="stranger@example.com").exists()


def test_events_without_a_usable_recipient_are_ignored_without_an_error():
    send_event(event_type="bounced", event_id="n-1", recipient=None)
    send_event(event_type="bounced", event_id="n-2", recipient="no-at-sign")
    send_event(event_type="bounced", event_id="n-3", recipient="a@example.com\r\nBcc: b@example.com")
    assert not Suppression.objects.exists()


def test_bad_input_to_the_service_is_refused_and_nothing_is_stored():
    make_subscriber()
    with pytest.raises(ValueError, match="unknown bounce kind 'medium'"):
        bounce_record(email="reader@example.com", kind="medium", event_id="Mailgun:z")
    with pytest.raises(ValueError, match="control characters"):
        bounce_record(email="reader@example.com\n", kind="hard")
    with pytest.raises(ValueError, match="not an email address"):
        bounce_record(email="", kind="hard")
    assert not Suppression.objects.exists() and not ProviderEvent.objects.exists()


def test_idn_address_is_matched_in_its_ascii_form():
    reader = Subscriber.objects.create(email="qari@مثال.مصر", email_key="qari@xn--mgbh0fb.xn--wgbh1c",
                                       status=Subscriber.Status.CONFIRMED)
    send_event(event_type="bounced", event_id="idn", recipient="qari@xn--mgbh0fb.xn--wgbh1c",
               mta_response="550 5.1.1 unknown")
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CLEANED


@pytest.mark.parametrize(("fields", "kind"), [
    ({"event_type": "bounced", "esp_event": {"Type": "HardBounce"}, "description": "temporarily unavailable"}, "hard"),
    ({"event_type": "bounced", "esp_event": {"event": "soft_bounce"}}, "soft"),
    ({"event_type": "bounced", "description": "Permanent: NoEmail"}, "hard"),
    ({"event_type": "bounced", "mta_response": "smtp; 554 5.7.1 rejected"}, "hard"),
    ({"event_type": "bounced", "description": "The message was temporarily deferred"}, "soft"),
    ({"event_type": "bounced"}, "hard"),
    ({"event_type": "rejected", "reject_reason": "spam"}, "complaint"),
    ({"event_type": "rejected", "reject_reason": "unsubscribed"}, "unsubscribe"),
    ({"event_type": "unknown"}, None),
])
def test_event_mapping(fields, kind):
    assert bounce_kind_for_event(event=AnymailTrackingEvent(**fields)) == kind


# --- deleting a subscriber -------------------------------------------------------------------

@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("ed", "ed@news.example", "pass-1234-word")
    client.force_login(user)
    return client


def test_deleting_a_subscriber_in_the_admin_removes_their_deliveries_and_keeps_the_suppression(admin_client):
    reader = make_subscriber()
    make_delivery(reader, 1)
    make_delivery(reader, 2)
    bounce_record(email="reader@example.com", kind="complaint", detail="FBL report")
    other = make_subscriber("other@example.com")
    make_delivery(other, 3)

    url = reverse("newsletter_subscribers:delete", args=[reader.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "reader@example.com" in page.content.decode()
    response = admin_client.post(url)
    assert response.status_code == 302

    assert not Subscriber.objects.filter(email_key="reader@example.com").exists()
    assert not Delivery.objects.filter(subscriber_id=reader.pk).exists()
    assert Delivery.objects.filter(subscriber=other).count() == 1  # nobody else's history
    assert Suppression.objects.get(email_key="reader@example.com").reason == Suppression.Reason.COMPLAINT

    # the address is never mailed again: the form stores nothing, sends nothing ...
    assert subscriber_subscribe(email="reader@example.com") == SubscribeOutcome.SUPPRESSED
    assert not Subscriber.objects.filter(email_key="reader@example.com").exists()
    # ... and even a subscriber re-created by hand gets no delivery
    again = make_subscriber()
    issue = Issue.objects.create(subject="عدد جديد", html_template="<p>x</p>", text_template="x")
    issue_queue(issue=issue)
    assert not Delivery.objects.filter(issue=issue, subscriber=again).exists()
    assert Delivery.objects.filter(issue=issue, subscriber=other).exists()


# --- end to end: real provider payloads to anymail's real webhook URLs ------------------------

def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


POSTMARK_HARD_BOUNCE = {
    # Postmark's bounce webhook body (https://postmarkapp.com/developer/webhooks/bounce-webhook)
    "RecordType": "Bounce", "MessageStream": "broadcast", "ID": 4323372036854775807,
    "Type": "HardBounce", "TypeCode": 1, "Name": "Hard bounce", "Tag": "newsletter",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Metadata": {}, "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    "Email": "reader@example.com", "From": "news@news.example",
    "BouncedAt": "2026-11-05T16:33:54.9070259Z", "DumpAvailable": False, "Inactive": True,
    "CanActivate": True, "Subject": "عدد الصباح", "Content": "",
}


@pytest.mark.urls("nashr.newsletter.tests.urls_anymail")
def test_postmark_bounce_webhook_end_to_end(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_AUTH}
    make_subscriber()
    url = "/anymail/postmark/tracking/"
    body = json.dumps(POSTMARK_HARD_BOUNCE, ensure_ascii=False)

    refused = client.post(url, body, content_type="application/json",
                          HTTP_AUTHORIZATION=basic_auth("nashr-esp:wrong"))
    assert refused.status_code == 400
    no_auth = client.post(url, body, content_type="application/json")
    assert no_auth.status_code == 400
    assert not Suppression.objects.exists()

    for _ in range(2):  # Postmark retries on timeouts: the second post changes nothing
        response = client.post(url, body, content_type="application/json",
                               HTTP_AUTHORIZATION=basic_auth(WEBHOOK_AUTH))
        assert response.status_code == 200
    subscriber, suppression, _ = state()
    assert subscriber["status"] == Subscriber.Status.CLEANED
    assert suppression["reason"] == Suppression.Reason.HARD_BOUNCE
    assert "550 5.1.1" in suppression["detail"]
    assert list(ProviderEvent.objects.values_list("event_id", flat=True)) == ["Postmark:4323372036854775807"]

    complaint = dict(POSTMARK_HARD_BOUNCE, RecordType="SpamComplaint", Type="SpamComplaint", ID=42,
                     Email="angry@example.com")
    make_subscriber("angry@example.com")
    response = client.post(url, json.dumps(complaint), content_type="application/json",
                           HTTP_AUTHORIZATION=basic_auth(WEBHOOK_AUTH))
    assert response.status_code == 200
    assert state("angry@example.com")[1]["reason"] == Suppression.Reason.COMPLAINT


def mailgun_payload(*, token, recipient, message_id, severity="permanent", code=550,
                    message="5.1.1 The email account that you tried to reach does not exist."):
    timestamp = "1764400000"
    signature = hmac.new(MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "failed", "severity": severity, "reason": "bounce", "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1764400000.375624, "log-level": "error", "recipient": recipient,
            "message": {"headers": {"to": recipient, "message-id": message_id.strip("<>"),
                                    "from": "news@news.example", "subject": "عدد الصباح"},
                        "attachments": [], "size": 2048},
            "delivery-status": {"code": code, "message": message, "description": "",
                                "attempt-no": 1, "tls": True, "mx-host": "mx.example.com"},
            "flags": {"is-routed": False, "is-authenticated": True, "is-system-test": False,
                      "is-test-mode": False},
            "envelope": {"transport": "smtp", "sender": "bounce@news.example", "targets": recipient},
            "user-variables": {}, "tags": [],
        },
    }


@pytest.mark.urls("nashr.newsletter.tests.urls_anymail")
def test_mailgun_bounce_webhook_end_to_end_marks_the_delivery(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_AUTH, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    reader = make_subscriber()
    delivery = make_delivery(reader)
    url = "/anymail/mailgun/tracking/"

    temporary = mailgun_payload(token="t" * 50, recipient="reader@example.com", message_id=delivery.message_id,
                                severity="temporary", code=452, message="4.2.2 mailbox full")
    assert client.post(url, json.dumps(temporary), content_type="application/json",
                       HTTP_AUTHORIZATION=basic_auth(WEBHOOK_AUTH)).status_code == 200
    assert state()[0] == {"status": Subscriber.Status.CONFIRMED, "soft_bounces": 0}  # deferred: still retrying

    forged = mailgun_payload(token="f" * 50, recipient="reader@example.com", message_id=delivery.message_id)
    forged["signature"]["signature"] = "0" * 64
    assert client.post(url, json.dumps(forged), content_type="application/json",
                       HTTP_AUTHORIZATION=basic_auth(WEBHOOK_AUTH)).status_code == 400
    assert not Suppression.objects.exists()

    permanent = mailgun_payload(token="p" * 50, recipient="reader@example.com", message_id=delivery.message_id)
    response = client.post(url, json.dumps(permanent), content_type="application/json",
                           HTTP_AUTHORIZATION=basic_auth(WEBHOOK_AUTH))
    assert response.status_code == 200
    delivery.refresh_from_db()
    reader.refresh_from_db()
    assert delivery.status == Delivery.Status.BOUNCED and "5.1.1" in delivery.last_error
    assert reader.status == Subscriber.Status.CLEANED
    assert Suppression.objects.get(email_key="reader@example.com").reason == Suppression.Reason.HARD_BOUNCE
