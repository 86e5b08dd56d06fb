"""The newsletter pipeline: issue → one delivery per subscriber → workers
claim batches → provider → a status per delivery.

The rules that keep every subscriber at exactly one email:

* ``Delivery`` rows are unique per (issue, subscriber) (database constraint).
* A worker *claims* a batch of queued rows (``claimed_by`` = a fresh token,
  one UPDATE guarded by ``claimed_by = ''``, so two workers never get the
  same row, on SQLite or PostgreSQL).
* Just before the provider call a row is marked ``sending`` (committed);
  after the provider accepts it, ``sent``. Rows still ``sending`` when a
  worker died have an *unknown outcome*: :func:`deliveries_recover` marks
  them ``unknown`` and they are reported, never silently re-sent. Claimed
  rows never marked ``sending`` were never attempted and are released.
* Transient errors (SMTP 4xx, dropped connections, timeouts) put the row back
  in the queue with exponential backoff; permanent ones (5xx) fail it.
* Everything that can be rendered once per issue is (``Issue.html_template``
  and ``text_template``); per recipient only links and headers change.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Delivery, Issue, Subscriber, Suppression
from .providers import BaseProvider, PermanentError, ProviderError, TransientError, get_provider

logger = logging.getLogger(__name__)

#: attempts before a transiently failing delivery is given up as failed
MAX_ATTEMPTS = 5
#: first retry delay; doubles per attempt (60 s, 120 s, 240 s, 480 s)
BACKOFF_BASE_S = 60
#: a row ``sending`` for longer than this belongs to a dead worker (the SMTP
#: timeout is 30 s by default, so a live send never takes this long)
STALE_SENDING_AFTER = timedelta(minutes=5)
#: claimed but never attempted for this long: the claimer died; release it
STALE_CLAIM_AFTER = timedelta(minutes=5)
BATCH_SIZE = 200
#: how often (in messages) a running sender checks for pause/cancel
STATUS_CHECK_EVERY = 20
#: how many "sent" marks are written in one UPDATE
SENT_FLUSH_EVERY = 10

OPEN_STATUSES = (Delivery.Status.QUEUED, Delivery.Status.SENDING)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1-based): 60 s × 2^(n-1).

    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 4)]
    [60, 120, 240, 480]
    """
    return timedelta(seconds=BACKOFF_BASE_S * 2 ** max(0, attempts - 1))


# --- creating issues ---------------------------------------------------------

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
    from .rendering import issue_render

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
    suppressed = Suppression.objects.values("email_key")
    subscribers = (
        Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
        .exclude(email_key__in=suppressed)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    batch: list[Delivery] = []
    for pk in subscribers.iterator(chunk_size=5000):
        batch.append(Delivery(issue_id=issue.pk, subscriber_id=pk))
        if len(batch) >= 5000:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SENDING, started_at=issue.started_at or timezone.now()
    )
    issue.status = Issue.Status.SENDING
    return Delivery.objects.filter(issue=issue).count()


def issue_set_status(*, issue: Issue, status: str) -> None:
    """Pause, resume or cancel. A running sender notices a pause or a
    cancellation within :data:`STATUS_CHECK_EVERY` messages; a cancelled
    issue's queued deliveries are marked skipped."""
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


# --- recovering after a crash -------------------------------------------------

def deliveries_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Deal with the leftovers of workers that died.

    * ``sending`` rows older than :data:`STALE_SENDING_AFTER` → ``unknown``
      (the provider may or may not have accepted them; an operator decides).
    * claimed ``queued`` rows older than :data:`STALE_CLAIM_AFTER` → released
      (they were never handed to the provider).

    Returns ``{"unknown": n, "released": m}``.
    """
    now = now or timezone.now()
    unknown = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER
    ).update(status=Delivery.Status.UNKNOWN,
             last_error="outcome unknown: the worker stopped while this message was being sent")
    released = Delivery.objects.filter(
        status=Delivery.Status.QUEUED, claimed_at__lt=now - STALE_CLAIM_AFTER
    ).exclude(claimed_by="").update(claimed_by="", claimed_at=None)
    if unknown:
        logger.warning("%d deliveries have an unknown outcome and need an operator's decision", unknown)
    return {"unknown": unknown, "released": released}


def delivery_resolve_unknown(*, delivery: Delivery, resend: bool) -> None:
    """The operator's decision on an ``unknown`` delivery: ``resend=True``
    queues it again (the caller then runs or enqueues the sender), ``False``
    records it as sent."""
    if delivery.status != Delivery.Status.UNKNOWN:
        raise ValueError("only deliveries with an unknown outcome can be resolved")
    if resend:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None, next_attempt_at=None)
        # a finished issue goes back to sending for this one message
        Issue.objects.filter(pk=delivery.issue_id, status=Issue.Status.SENT).update(
            status=Issue.Status.SENDING, finished_at=None)
    else:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT)


# --- sending ---------------------------------------------------------------------

def deliveries_claim(*, issue: Issue, batch_size: int = BATCH_SIZE,
                     now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``batch_size`` due, unclaimed, queued deliveries of
    ``issue`` for this worker; returns them with their subscribers."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ids = list(
        Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED, claimed_by="")
        .filter(due).order_by("pk").values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return []
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED, claimed_by="").update(
        claimed_by=token, claimed_at=now)
    return list(Delivery.objects.filter(claimed_by=token).select_related("subscriber").order_by("pk"))


@dataclass
class SendStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def _flush_sent(ids: list[int], stats: SendStats) -> None:
    if ids:
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_by="")
        stats.sent += len(ids)
        ids.clear()


def issue_send(*, issue_id: int, provider: BaseProvider | None = None,
               batch_size: int = BATCH_SIZE, max_messages: int | None = None) -> SendStats:
    """Send what is due of one issue until nothing is claimable, the issue is
    paused or cancelled, or ``max_messages`` were attempted. Safe to run in
    several processes at once and safe to run twice."""
    from .message import prepare_issue
    from .tokens import manage_url_for, unsubscribe_url_for

    stats = SendStats()
    deliveries_recover()
    issue = Issue.objects.get(pk=issue_id)
    if issue.status != Issue.Status.SENDING:
        return stats
    issue_render_once(issue=issue)
    prepared = prepare_issue(issue=issue)
    envelope_from = settings.NASHR_NEWSLETTER_FROM_EMAIL
    suppressed = set(Suppression.objects.values_list("email_key", flat=True))
    provider = provider or get_provider()
    attempted = 0
    sent_ids: list[int] = []
    try:
        provider.open()
    except ProviderError as exc:  # refused connection, TLS or login failure
        logger.warning("provider unavailable: %s", exc)
        stats.errors.append(str(exc))
        _schedule_retry_all(issue=issue, error=str(exc))
        return stats
    try:
        while max_messages is None or attempted < max_messages:
            status = Issue.objects.filter(pk=issue.pk).values_list("status", flat=True).first()
            if status != Issue.Status.SENDING:
                break
            batch = deliveries_claim(issue=issue, batch_size=batch_size)
            if not batch:
                break
            for index, delivery in enumerate(batch):
                if max_messages is not None and attempted >= max_messages:
                    _release(batch[index:])
                    break
                if index and index % STATUS_CHECK_EVERY == 0 and not _still_sending(issue):
                    _release(batch[index:])  # paused or cancelled meanwhile
                    break
                subscriber = delivery.subscriber
                if subscriber.status != Subscriber.Status.CONFIRMED or subscriber.email_key in suppressed:
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.SKIPPED, claimed_by="",
                        last_error="unsubscribed or suppressed before sending")
                    stats.skipped += 1
                    continue
                built = prepared.build(
                    to_email=subscriber.email, to_name=subscriber.name,
                    unsubscribe_url=unsubscribe_url_for(subscriber),
                    manage_url=manage_url_for(subscriber),
                )
                attempts = delivery.attempts + 1
                # Committed before the provider is called: if this process
                # dies from here on, the row says "sending" and is reported.
                _mark_sending(delivery_id=delivery.pk, attempts=attempts, message_id=built.message_id)
                attempted += 1
                try:
                    provider.send(envelope_from=envelope_from, to=subscriber.email, data=built.data)
                except PermanentError as exc:
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.FAILED, last_error=str(exc)[:2000], claimed_by="")
                    stats.failed += 1
                except TransientError as exc:
                    if attempts >= MAX_ATTEMPTS:
                        Delivery.objects.filter(pk=delivery.pk).update(
                            status=Delivery.Status.FAILED, claimed_by="",
                            last_error=f"gave up after {attempts} attempts: {exc}"[:2000])
                        stats.failed += 1
                    else:
                        Delivery.objects.filter(pk=delivery.pk).update(
                            status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None,
                            next_attempt_at=timezone.now() + backoff(attempts),
                            last_error=str(exc)[:2000])
                        stats.retried += 1
                else:
                    sent_ids.append(delivery.pk)
                    if len(sent_ids) >= SENT_FLUSH_EVERY:
                        _flush_sent(sent_ids, stats)
            _flush_sent(sent_ids, stats)
    finally:
        _flush_sent(sent_ids, stats)
        provider.close()
    issue_finish_if_done(issue=issue)
    return stats


def _mark_sending(*, delivery_id: int, attempts: int, message_id: str) -> None:
    """One plain UPDATE (autocommit) marking a delivery ``sending`` just
    before its provider call: the same write as ``QuerySet.update`` at about
    a quarter of the cost (the ORM spent ~115 µs a message building it;
    bench/README.md, newsletter sending)."""
    from django.db import connection

    table = connection.ops.quote_name(Delivery._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, attempts = %s, message_id = %s, claimed_at = %s WHERE id = %s",
            [Delivery.Status.SENDING.value, attempts, message_id, now, delivery_id],
        )


def _still_sending(issue: Issue) -> bool:
    return Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).exists()


def _release(deliveries: list[Delivery]) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries], status=Delivery.Status.QUEUED).update(
        claimed_by="", claimed_at=None)


def _schedule_retry_all(*, issue: Issue, error: str) -> None:
    """The provider could not even be reached: nothing was attempted, so the
    queue simply waits (no attempt is counted)."""
    Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED, claimed_by="").update(
        next_attempt_at=timezone.now() + timedelta(seconds=BACKOFF_BASE_S), last_error=error[:2000])


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
    from .message import prepare_issue

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
