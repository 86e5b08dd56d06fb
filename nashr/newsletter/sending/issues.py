"""An issue's life cycle: create it for an article, render it once, queue its
deliveries, pause/resume/cancel, schedule, start when due, finish, report
progress, and send one test copy."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from ..models import Delivery, Issue, Subscriber, Suppression
from ..providers import BaseProvider, get_provider
from .limits import OPEN_STATUSES


def issue_create_for_article(*, article, send_at: datetime | None = None) -> tuple[Issue, bool]:
    """The newsletter issue of ``article``, created at most once ever.

    Returns ``(issue, created)``. Publishing again, unpublishing and
    republishing, or a worker retrying this call finds the same issue
    (``Issue.article`` is unique), so an article is never mailed twice.
    """
    try:
        with transaction.atomic():
            issue, created = Issue.objects.get_or_create(
                article=article,
                defaults={"subject": article.title[:200], "send_at": send_at,
                          "status": Issue.Status.SCHEDULED if send_at else Issue.Status.DRAFT},
            )
    except IntegrityError:  # a concurrent publish created it first
        issue, created = Issue.objects.get(article=article), False
    return issue, created


def issue_render_once(*, issue: Issue) -> Issue:
    """Render the issue's HTML and text bodies once (placeholders for the
    per-recipient links) and store them on the issue."""
    from ..rendering import issue_render

    if not issue.html_template:
        html, text = issue_render(issue=issue)
        Issue.objects.filter(pk=issue.pk).update(html_template=html, text_template=text)
        issue.html_template, issue.text_template = html, text
    return issue


def issue_queue(*, issue: Issue) -> int:
    """Start sending: render once, create one queued delivery per confirmed,
    non-suppressed subscriber (idempotent: existing rows are kept), and mark
    the issue ``sending``. Returns the number of deliveries of the issue.

    Raises :class:`ValueError` for a cancelled or already sent issue.
    """
    if issue.status in (Issue.Status.CANCELLED, Issue.Status.SENT):
        raise ValueError(f"issue {issue.pk} is {issue.status}; it cannot be queued")
    issue_render_once(issue=issue)
    # One INSERT ... SELECT in the database (no row travels through Python);
    # ON CONFLICT DO NOTHING keeps existing rows (SQLite >= 3.24, PostgreSQL).
    delivery = connection.ops.quote_name(Delivery._meta.db_table)
    subscriber = connection.ops.quote_name(Subscriber._meta.db_table)
    suppression = connection.ops.quote_name(Suppression._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {delivery} (issue_id, subscriber_id, status, attempts, claimed_by, "
            f"message_id, last_error) "
            f"SELECT %s, s.id, %s, 0, '', '', '' FROM {subscriber} s WHERE s.status = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {suppression} x WHERE x.email_key = s.email_key) "
            f"ORDER BY s.id ON CONFLICT (issue_id, subscriber_id) DO NOTHING",
            [issue.pk, Delivery.Status.QUEUED.value, Subscriber.Status.CONFIRMED.value],
        )
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SENDING, started_at=issue.started_at or timezone.now()
    )
    issue.status = Issue.Status.SENDING
    return Delivery.objects.filter(issue=issue).count()


def issue_set_status(*, issue: Issue, status: str) -> None:
    """Pause, resume or cancel. A running sender starts no new message once
    it sees the change (its next group's "sending" marks are only written
    while the issue is sending); the messages already handed to the provider
    — at most :func:`unknown_max` — are finished. A cancelled issue's queued
    deliveries are marked skipped."""
    allowed = {
        Issue.Status.PAUSED: {Issue.Status.SENDING, Issue.Status.SCHEDULED},
        Issue.Status.SENDING: {Issue.Status.PAUSED},
        Issue.Status.CANCELLED: {Issue.Status.DRAFT, Issue.Status.SCHEDULED,
                                 Issue.Status.SENDING, Issue.Status.PAUSED},
    }
    if issue.status not in allowed.get(status, set()):
        raise ValueError(f"cannot change issue {issue.pk} from {issue.status} to {status}")
    Issue.objects.filter(pk=issue.pk).update(status=status)
    issue.status = status
    if status == Issue.Status.CANCELLED:
        Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SKIPPED, last_error="issue cancelled"
        )


def issues_start_due(*, now: datetime | None = None) -> list[int]:
    """Queue scheduled issues whose ``send_at`` has come; returns their ids."""
    now = now or timezone.now()
    started = []
    for issue in Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=now):
        issue_queue(issue=issue)
        started.append(issue.pk)
    return started


def issue_next_attempt_at(*, issue: Issue) -> datetime | None:
    """When the earliest queued delivery of ``issue`` becomes due, or None."""
    return Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).aggregate(
        t=Min("next_attempt_at"))["t"]


def issue_finish_if_done(*, issue: Issue) -> bool:
    """Mark the issue ``sent`` when no delivery is queued or sending."""
    if Delivery.objects.filter(issue=issue, status__in=OPEN_STATUSES).exists():
        return False
    updated = Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
        status=Issue.Status.SENT, finished_at=timezone.now())
    return bool(updated)


def issue_progress(*, issue: Issue) -> dict[str, int]:
    """Counts of the issue's deliveries per status, plus ``total``."""
    counts = dict(
        Delivery.objects.filter(issue=issue).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    result = {status: counts.get(status, 0) for status in Delivery.Status.values}
    result["total"] = sum(counts.values())
    return result


def issue_send_test(*, issue: Issue, to_email: str, to_name: str = "",
                    provider: BaseProvider | None = None) -> str:
    """Send the issue to one address (an editor's own) as a test, outside the
    delivery records; unsubscribe links point at the site's newsletter page.
    Returns the Message-ID. Raises :class:`ValueError` without an address and
    the provider's errors when the send fails."""
    from ..message import prepare_issue

    if not to_email:
        raise ValueError("your account has no email address")
    issue_render_once(issue=issue)
    prepared = prepare_issue(issue=issue, subject_prefix="[تجربة] ")
    placeholder = settings.SITE_URL + "/newsletter/subscribe/"
    built = prepared.build(to_email=to_email, to_name=to_name,
                           unsubscribe_url=placeholder, manage_url=placeholder)
    provider = provider or get_provider()
    provider.open()
    try:
        provider.send(envelope_from=settings.NASHR_NEWSLETTER_FROM_EMAIL, to=to_email, data=built.data)
    finally:
        provider.close()
    return built.message_id


def issue_schedule_if_timed(*, issue: Issue) -> None:
    """An issue saved as a draft with a send time becomes ``scheduled`` (the
    scheduler loop starts it then, :func:`issues_start_due`); a scheduled one
    whose time was cleared goes back to draft."""
    if issue.status == Issue.Status.DRAFT and issue.send_at:
        issue.status = Issue.Status.SCHEDULED
    elif issue.status == Issue.Status.SCHEDULED and not issue.send_at:
        issue.status = Issue.Status.DRAFT
