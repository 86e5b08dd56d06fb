"""The sending pipeline over real SMTP on loopback: exactly one email per
subscriber, retries for transient failures, permanent failures isolated,
pause/cancel, and an article mailed once however often it is published."""

import pytest
from django.utils import timezone

from nashr.articles.tests.factories import build_site
from nashr.newsletter import sending
from nashr.newsletter.models import Delivery, Issue, Subscriber, Suppression
from nashr.newsletter.testing import RecordingHandler, SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.NASHR_NEWSLETTER_PROVIDER = "nashr.newsletter.providers.SmtpProvider"
        yield server


def subscribers(n, *, prefix="reader", status=Subscriber.Status.CONFIRMED):
    return Subscriber.objects.bulk_create([
        Subscriber(email=f"{prefix}{i}@example.org", email_key=f"{prefix}{i}@example.org",
                   name=f"قارئ {i}", status=status)
        for i in range(n)
    ])


def run_until_done(issue, *, rounds=10):
    """Run the sender; make waiting retries due at once between rounds."""
    for _ in range(rounds):
        sending.issue_send(issue_id=issue.pk)
        if not Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).exists():
            break
        Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).update(next_attempt_at=timezone.now())


def test_every_confirmed_subscriber_gets_exactly_one_email(smtp):
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(30)
    subscribers(3, prefix="pending", status=Subscriber.Status.PENDING)
    subscribers(2, prefix="gone", status=Subscriber.Status.UNSUBSCRIBED)
    Suppression.objects.create(email_key="reader7@example.org", reason=Suppression.Reason.COMPLAINT)
    issue, created = sending.issue_create_for_article(article=article)
    assert created
    assert sending.issue_queue(issue=issue) == 29
    stats = sending.issue_send(issue_id=issue.pk)
    assert stats.sent == 29
    accepted = smtp.handler.accepted
    assert len(accepted) == 29 and set(accepted.values()) == {1}
    assert "reader7@example.org" not in accepted
    assert not any(a.startswith(("pending", "gone")) for a in accepted)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    progress = sending.issue_progress(issue=issue)
    assert progress["sent"] == 29 and progress["total"] == 29
    # message ids recorded, unique
    ids = list(Delivery.objects.filter(issue=issue).values_list("message_id", flat=True))
    assert len(set(ids)) == 29 and all(ids)
    # running the sender again sends nothing more
    sending.issue_send(issue_id=issue.pk)
    assert sum(smtp.handler.accepted.values()) == 29


def test_publishing_again_never_creates_a_second_issue(smtp, django_capture_on_commit_callbacks):
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(3)
    article.send_to_subscribers = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.save_revision().publish()
        article.unpublish()
        article.save_revision().publish()
        article.save_revision().publish()
    assert Issue.objects.filter(article=article).count() == 1
    starts = [c for c in callbacks if c.__qualname__.startswith("issue_start_on_commit")]
    assert len(starts) == 1  # one start task enqueued, once


class FlakyHandler(RecordingHandler):
    """``temp*`` recipients: 451 on the first try; ``drop*``: connection
    dropped on the first try; ``bad*``: 550 always."""

    def decide(self, rcpt, attempt):
        if rcpt.startswith("temp") and attempt == 1:
            return "451 4.3.0 try again later"
        if rcpt.startswith("drop") and attempt == 1:
            return "DROP"
        if rcpt.startswith("bad"):
            return "550 5.1.1 mailbox unavailable"
        return None


def test_faulty_server_transient_retried_permanent_isolated(settings):
    with SmtpServer(FlakyHandler()) as server:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.NASHR_NEWSLETTER_PROVIDER = "nashr.newsletter.providers.SmtpProvider"
        article = build_site(articles_per_section=1)["articles"][0]
        subscribers(10)
        subscribers(5, prefix="temp")
        subscribers(5, prefix="drop")
        subscribers(3, prefix="bad")
        issue, _ = sending.issue_create_for_article(article=article)
        sending.issue_queue(issue=issue)
        stats = sending.issue_send(issue_id=issue.pk)
        assert stats.retried == 10 and stats.failed == 3
        retry = Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED)
        assert retry.count() == 10
        assert all(d.next_attempt_at > timezone.now() for d in retry)
        assert all(d.last_error for d in retry)
        run_until_done(issue)
        accepted = server.handler.accepted
    assert len(accepted) == 20 and set(accepted.values()) == {1}
    failed = Delivery.objects.filter(issue=issue, status=Delivery.Status.FAILED)
    assert {d.subscriber.email for d in failed} == {f"bad{i}@example.org" for i in range(3)}
    assert all(d.last_error.startswith("550") for d in failed)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_pause_resume_and_cancel(smtp):
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(12)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    sending.issue_send(issue_id=issue.pk, max_messages=5)
    assert sum(smtp.handler.accepted.values()) == 5
    sending.issue_set_status(issue=issue, status=Issue.Status.PAUSED)
    sending.issue_send(issue_id=issue.pk)
    assert sum(smtp.handler.accepted.values()) == 5  # paused: nothing sent
    sending.issue_set_status(issue=issue, status=Issue.Status.SENDING)
    sending.issue_send(issue_id=issue.pk, max_messages=3)
    assert sum(smtp.handler.accepted.values()) == 8
    sending.issue_set_status(issue=issue, status=Issue.Status.CANCELLED)
    sending.issue_send(issue_id=issue.pk)
    assert sum(smtp.handler.accepted.values()) == 8
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.SKIPPED).count() == 4
    with pytest.raises(ValueError):
        sending.issue_queue(issue=issue)


def test_unknown_outcome_is_reported_not_resent(smtp):
    from datetime import timedelta

    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(4)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    # a worker died after marking one delivery "sending"
    stuck = Delivery.objects.filter(issue=issue).first()
    Delivery.objects.filter(pk=stuck.pk).update(
        status=Delivery.Status.SENDING, claimed_by="dead", claimed_at=timezone.now() - timedelta(minutes=10))
    sending.issue_send(issue_id=issue.pk)
    stuck.refresh_from_db()
    assert stuck.status == Delivery.Status.UNKNOWN and "unknown" in stuck.last_error
    assert stuck.subscriber.email not in smtp.handler.accepted
    assert sum(smtp.handler.accepted.values()) == 3
    # the operator decides to resend it
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT  # nothing left it could send
    sending.delivery_resolve_unknown(delivery=stuck, resend=True)
    sending.issue_send(issue_id=issue.pk)
    assert smtp.handler.accepted[stuck.subscriber.email] == 1
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_two_workers_never_claim_the_same_delivery():
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(50)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    first = sending.deliveries_claim(issue=issue, batch_size=30)
    second = sending.deliveries_claim(issue=issue, batch_size=30)
    assert len(first) == 30 and len(second) == 20
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert sending.deliveries_claim(issue=issue, batch_size=30) == []


def test_without_smtp_the_demo_writes_each_email_to_the_outbox(settings, tmp_path):
    import email
    import email.policy

    settings.DATA_DIR = tmp_path
    settings.NASHR_NEWSLETTER_PROVIDER = "nashr.newsletter.providers.FileProvider"
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(3)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    assert sending.issue_send(issue_id=issue.pk).sent == 3
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == article.title
    assert parsed["To"].addresses[0].addr_spec.endswith("@example.org")


def test_an_issue_with_a_send_time_is_started_by_the_scheduler(smtp):
    from datetime import timedelta

    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(2)
    issue = Issue.objects.create(article=article, subject=article.title,
                                 send_at=timezone.now() + timedelta(hours=1))
    assert issue.status == Issue.Status.SCHEDULED
    assert sending.issues_start_due() == []
    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert sending.issues_start_due() == [issue.pk]
    sending.issue_send(issue_id=issue.pk)
    assert sum(smtp.handler.accepted.values()) == 2


def test_dashboard_shows_subscriber_counts(client, django_user_model):
    user = django_user_model.objects.create_superuser("dash", "d@example.org", "pw-123456789")
    client.force_login(user)
    subscribers(4)
    subscribers(2, prefix="p", status=Subscriber.Status.PENDING)
    html = client.get("/admin/").content.decode()
    assert "النشرة البريدية" in html
    assert "مشترك: <strong>4</strong>" in html and "بانتظار التأكيد: <strong>2</strong>" in html


def test_a_pause_stops_a_running_sender_within_a_few_messages(smtp):
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(60)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    sent_before_pause = {"n": 0}

    class PausingProvider(sending.get_provider().__class__):
        def send(self, **kwargs):
            super().send(**kwargs)
            sent_before_pause["n"] += 1
            if sent_before_pause["n"] == 5:
                Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.PAUSED)

    stats = sending.issue_send(issue_id=issue.pk, provider=PausingProvider())
    # the messages already handed to the provider are finished, no more
    assert 5 <= stats.sent <= 5 + sending.unknown_max()
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED, claimed_by="").count() == 60 - stats.sent


def test_an_unreachable_smtp_server_leaves_the_queue_waiting(settings):
    from nashr.newsletter.testing import free_port

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    settings.NASHR_NEWSLETTER_PROVIDER = "nashr.newsletter.providers.SmtpProvider"
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(3)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    stats = sending.issue_send(issue_id=issue.pk)
    assert stats.sent == 0 and stats.errors
    queued = Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED)
    assert queued.count() == 3
    assert all(d.attempts == 0 and d.next_attempt_at > timezone.now() and d.last_error for d in queued)
    assert sending.issue_next_attempt_at(issue=issue) is not None


def test_the_sending_mark_stores_a_time_the_recovery_can_compare():
    """The pre-send mark is a plain SQL UPDATE; its timestamp must compare
    like the ORM's, or stale "sending" rows would never be reported."""
    from datetime import timedelta

    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(1)
    issue, _ = sending.issue_create_for_article(article=article)
    sending.issue_queue(issue=issue)
    delivery = Delivery.objects.get(issue=issue)
    sending._mark_sending(delivery_id=delivery.pk, attempts=1, message_id="<m@example.org>")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING and delivery.attempts == 1
    assert abs((delivery.claimed_at - timezone.now()).total_seconds()) < 5
    assert sending.deliveries_recover() == {"unknown": 0, "released": 0}
    later = timezone.now() + sending.STALE_SENDING_AFTER + timedelta(seconds=1)
    assert sending.deliveries_recover(now=later)["unknown"] == 1


def test_issue_listing_shows_progress_without_a_query_per_issue(client, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = django_user_model.objects.create_superuser("lst", "l@example.org", "pw-123456789")
    client.force_login(user)
    site = build_site(articles_per_section=3)
    subscribers(4)
    issue, _ = sending.issue_create_for_article(article=site["articles"][0])
    sending.issue_queue(issue=issue)
    sending.issue_send(issue_id=issue.pk, max_messages=3)
    client.get("/admin/newsletter_issues/")
    with CaptureQueriesContext(connection) as one:
        html = client.get("/admin/newsletter_issues/").content.decode()
    assert "3 / 4 · فشل 0" in html
    for article in site["articles"][1:]:
        sending.issue_queue(issue=sending.issue_create_for_article(article=article)[0])
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/newsletter_issues/")
    assert len(many.captured_queries) == len(one.captured_queries)


class SlowRecordingHandler(RecordingHandler):
    """Accepts after 5 ms and remembers each client connection (its port)."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set = set()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.peers.add(session.peer)
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


def test_several_smtp_connections_share_an_issue_and_send_each_email_once(settings):
    with SmtpServer(SlowRecordingHandler()) as server:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.NASHR_NEWSLETTER_PROVIDER = "nashr.newsletter.providers.SmtpProvider"
        settings.NASHR_NEWSLETTER_CONNECTIONS = 3
        settings.NASHR_NEWSLETTER_UNKNOWN_MAX = 8  # groups of 2, 4 in flight
        article = build_site(articles_per_section=1)["articles"][0]
        subscribers(41)
        issue, _ = sending.issue_create_for_article(article=article)
        sending.issue_queue(issue=issue)
        stats = sending.issue_send(issue_id=issue.pk, batch_size=10)
        accepted = dict(server.handler.accepted)
        peers = set(server.handler.peers)
    assert stats.sent == 41
    assert len(accepted) == 41 and set(accepted.values()) == {1}
    assert len(peers) == 3  # three connections carried the issue
    rows = Delivery.objects.filter(issue=issue)
    assert set(rows.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert len(set(rows.values_list("message_id", flat=True))) == 41
    assert all(d.attempts == 1 and d.sent_at for d in rows)


def test_unknown_max_splits_into_groups_that_fit_the_cap():
    for connections in range(1, 9):
        for cap in range(1, 41):
            size, groups = sending.sending_groups(connections=connections, limit=cap)
            assert size >= 1 and groups >= 1 and size * groups <= cap


def test_an_unknown_max_below_one_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.NASHR_NEWSLETTER_UNKNOWN_MAX = 0
    with pytest.raises(ImproperlyConfigured):
        sending.unknown_max()


def test_smtp_data_with_lines_starting_with_a_dot_arrives_unchanged(smtp):
    """The SMTP client skips dot-stuffing only when no line starts with "."
    (RFC 5321 §4.5.2); both kinds of message must arrive byte for byte."""
    from nashr.newsletter.providers import SmtpProvider

    plain = b"Subject: plain\r\n\r\nno line here starts with a dot.\r\n"
    dotted = b"Subject: dotted\r\n\r\n.a line with a dot\r\n..two dots\r\n.\r\nend\r\n"
    provider = SmtpProvider()
    provider.open()
    try:
        provider.send(envelope_from="news@example.org", to="a@example.org", data=plain)
        provider.send(envelope_from="news@example.org", to="b@example.org", data=dotted)
    finally:
        provider.close()
    received = {rcpts[0]: data for _, rcpts, data in smtp.handler.messages}
    assert received["a@example.org"].replace(b"\r\n", b"\n") == plain.replace(b"\r\n", b"\n")
    assert received["b@example.org"].replace(b"\r\n", b"\n") == dotted.replace(b"\r\n", b"\n")


def test_a_subscriber_whose_address_cannot_be_sent_fails_alone_and_the_issue_goes_on(smtp):
    """An address a message cannot carry (a non-ASCII local part, say, from an
    old import) fails that one delivery with its reason; everyone else gets
    the issue and the issue finishes."""
    article = build_site(articles_per_section=1)["articles"][0]
    subscribers(6)
    bad = Subscriber.objects.create(email="قارئ@example.org", email_key="قارئ@example.org",
                                    name="قارئ", status=Subscriber.Status.CONFIRMED)
    issue, _ = sending.issue_create_for_article(article=article)
    assert sending.issue_queue(issue=issue) == 7
    stats = sending.issue_send(issue_id=issue.pk)
    assert stats.sent == 6 and stats.failed == 1
    assert len(smtp.handler.accepted) == 6 and set(smtp.handler.accepted.values()) == {1}
    failed = Delivery.objects.get(issue=issue, subscriber=bad)
    assert failed.status == Delivery.Status.FAILED
    assert "not a usable email address" in failed.last_error
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
