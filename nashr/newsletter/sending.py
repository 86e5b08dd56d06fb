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

import collections
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Delivery, Issue, Subscriber, Suppression
from .providers import BaseProvider, PermanentError, ProviderError, ProviderPool, get_provider

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

def connections_per_sender() -> int:
    """SMTP connections (threads) one send task keeps open:
    ``NASHR_NEWSLETTER_CONNECTIONS`` (default 4). Several transactions in
    flight hide the wait for each SMTP reply."""
    return max(1, int(getattr(settings, "NASHR_NEWSLETTER_CONNECTIONS", 4)))


def unknown_max() -> int:
    """The most deliveries one send task has marked ``sending`` without
    having written their outcome: ``NASHR_NEWSLETTER_UNKNOWN_MAX`` (default
    20). This bounds how many deliveries can end ``unknown`` when a worker
    dies (killed, power cut): the messages on the wire plus those accepted
    whose ``sent`` mark was not written yet. Must be at least 1."""
    value = int(getattr(settings, "NASHR_NEWSLETTER_UNKNOWN_MAX", 20))
    if value < 1:
        raise ImproperlyConfigured("NASHR_NEWSLETTER_UNKNOWN_MAX must be at least 1")
    return value


def sending_groups(*, connections: int, limit: int) -> tuple[int, int]:
    """``(group size, groups in flight)`` for ``connections`` connections and
    at most ``limit`` deliveries without a written outcome.

    Deliveries are marked ``sending`` a group at a time (one write) and the
    outcomes of a group are written together with the next group's marks
    (one write), so the database sees about one commit per group instead of
    two per message. One group more than there are connections is kept in
    flight, so a connection finds its next group waiting. Always
    ``size * groups <= limit``.

    >>> sending_groups(connections=4, limit=20)
    (4, 5)
    >>> sending_groups(connections=1, limit=20)
    (10, 2)
    >>> sending_groups(connections=4, limit=1)
    (1, 1)
    """
    size = max(1, limit // (connections + 1))
    return size, max(1, limit // size)


@dataclass(slots=True)
class _Claimed:
    """A claimed delivery with what sending it needs (no ORM objects)."""

    delivery_id: int
    attempts: int
    subscriber_id: int
    email: str
    name: str
    email_key: str
    subscriber_status: str


def _claim_rows(*, issue_id: int, batch_size: int, now: datetime) -> list[_Claimed]:
    """Claim up to ``batch_size`` due, unclaimed, queued deliveries in one
    ``UPDATE ... RETURNING`` (SQLite >= 3.35, PostgreSQL), then read their
    subscribers in one query. On PostgreSQL the rows are picked with
    ``FOR UPDATE SKIP LOCKED`` so concurrent claimers take different rows
    instead of waiting for each other; SQLite has one writer at a time."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    when = connection.ops.adapt_datetimefield_value(now)
    queued = Delivery.Status.QUEUED.value
    pick = (f"SELECT id FROM {table} WHERE issue_id = %s AND status = %s AND claimed_by = '' "
            f"AND (next_attempt_at IS NULL OR next_attempt_at <= %s) ORDER BY id LIMIT %s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The picked rows in a CTE, evaluated once; an IN (subquery with
            # LIMIT ... FOR UPDATE) may be re-evaluated and claim more rows.
            cursor.execute(
                f"WITH picked AS ({pick} FOR UPDATE SKIP LOCKED) "
                f"UPDATE {table} SET claimed_by = %s, claimed_at = %s FROM picked "
                f"WHERE {table}.id = picked.id RETURNING {table}.id, subscriber_id, attempts",
                [issue_id, queued, when, batch_size, uuid.uuid4().hex, when],
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET claimed_by = %s, claimed_at = %s WHERE id IN ({pick}) "
                f"AND status = %s AND claimed_by = '' RETURNING id, subscriber_id, attempts",
                [uuid.uuid4().hex, when, issue_id, queued, when, batch_size, queued],
            )
        rows = sorted(cursor.fetchall())
    if not rows:
        return []
    people = {
        pk: rest for pk, *rest in Subscriber.objects.filter(pk__in=[r[1] for r in rows])
        .values_list("pk", "email", "name", "email_key", "status")
    }
    claimed = []
    for delivery_id, subscriber_id, attempts in rows:
        email, name, email_key, status = people.get(subscriber_id, ("", "", "", ""))
        claimed.append(_Claimed(delivery_id, attempts, subscriber_id, email, name, email_key, status))
    return claimed


def deliveries_claim(*, issue: Issue, batch_size: int = BATCH_SIZE,
                     now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``batch_size`` due, unclaimed, queued deliveries of
    ``issue`` for this worker; returns them with their subscribers, in id
    order. Two claimers never get the same row."""
    rows = _claim_rows(issue_id=issue.pk, batch_size=batch_size, now=now or timezone.now())
    if not rows:
        return []
    return list(Delivery.objects.filter(pk__in=[r.delivery_id for r in rows])
                .select_related("subscriber").order_by("pk"))


@dataclass
class SendStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Writes:
    """Delivery updates waiting to be written in one transaction."""

    sent: list[int] = field(default_factory=list)
    #: (delivery id, error)
    failed: list[tuple[int, str]] = field(default_factory=list)
    #: (delivery id, next attempt at, error)
    retry: list[tuple[int, datetime, str]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    #: (delivery id, attempts, message id): marked ``sending``
    sending: list[tuple[int, int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.failed or self.retry or self.skipped or self.sending)


def _write(writes: _Writes, stats: SendStats, *, issue_id: int | None = None) -> list[int]:
    """Write the pending outcomes and ``sending`` marks; returns the ids that
    were marked ``sending``.

    The common case — "sent" for a finished group and "sending" for the
    next — is one ``UPDATE ... FROM`` a list of values (SQLite >= 3.33,
    PostgreSQL) in autocommit: one statement and one commit per group. In a
    threaded worker every database call hands the interpreter lock to the
    SMTP threads and waits to get it back, so the number of calls, not the
    SQL, sets the cost (bench/README.md, newsletter sending). With
    ``issue_id``, the marks are only written while that issue is still
    ``sending``: a pause or a cancellation stops the next group without
    a separate status query.
    """
    status = Delivery.Status
    table = connection.ops.quote_name(Delivery._meta.db_table)
    issue_table = connection.ops.quote_name(Issue._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        # rare outcomes: one statement each kind
        if writes.failed:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, last_error = %s, claimed_by = '' WHERE id = %s",
                [(status.FAILED.value, error[:2000], pk) for pk, error in writes.failed])
        if writes.retry:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, claimed_by = '', claimed_at = NULL, "
                f"next_attempt_at = %s, last_error = %s WHERE id = %s",
                [(status.QUEUED.value, connection.ops.adapt_datetimefield_value(at), error[:2000], pk)
                 for pk, at, error in writes.retry])
        if writes.skipped:
            marks = ", ".join(["%s"] * len(writes.skipped))
            cursor.execute(
                f"UPDATE {table} SET status = %s, claimed_by = '', last_error = %s WHERE id IN ({marks})",
                [status.SKIPPED.value, "unsubscribed or suppressed before sending", *writes.skipped])
        rows = [(pk, status.SENT.value, None, None) for pk in writes.sent]
        rows += [(pk, status.SENDING.value, attempts, message_id)
                 for pk, attempts, message_id in writes.sending]
        marked = [pk for pk, _, _ in writes.sending]
        if rows:
            values = " UNION ALL ".join(
                ["SELECT CAST(%s AS INTEGER) AS id, %s AS st, CAST(%s AS INTEGER) AS att, %s AS mid"]
                * len(rows))
            still_sending = ""
            # in the order of the placeholders: SET, the values, WHERE
            params: list = [status.SENDING.value] * 3 + [now, status.SENT.value, now, status.SENT.value]
            params += [value for row in rows for value in row]
            params += [status.SENDING.value, status.SENDING.value]
            if issue_id is not None:
                still_sending = (f" AND (v.st <> %s OR EXISTS (SELECT 1 FROM {issue_table} "
                                 f"WHERE id = %s AND status = %s))")
                params += [status.SENDING.value, issue_id, Issue.Status.SENDING.value]
            # Marked "sending" before the provider is called (autocommit): if
            # this process dies from here on, these rows say "sending" and
            # are reported, never silently sent again.
            cursor.execute(
                # (a plain UPDATE, not WITH ... UPDATE: Python's sqlite3
                # reports rowcount only for statements starting with UPDATE)
                f"UPDATE {table} SET status = v.st, "
                f"attempts = CASE WHEN v.st = %s THEN v.att ELSE {table}.attempts END, "
                f"message_id = CASE WHEN v.st = %s THEN v.mid ELSE {table}.message_id END, "
                f"claimed_at = CASE WHEN v.st = %s THEN %s ELSE {table}.claimed_at END, "
                f"sent_at = CASE WHEN v.st = %s THEN %s ELSE {table}.sent_at END, "
                f"claimed_by = CASE WHEN v.st = %s THEN '' ELSE {table}.claimed_by END "
                f"FROM ({values}) AS v WHERE {table}.id = v.id AND (v.st = %s OR {table}.status = %s){still_sending}",
                params,
            )
            if cursor.rowcount != len(rows) and marked:
                # the issue was paused or cancelled (or a row changed under us):
                # find out which marks were written
                cursor.execute(
                    f"SELECT id FROM {table} WHERE status = %s AND message_id IN "
                    f"({', '.join(['%s'] * len(marked))})",
                    [status.SENDING.value, *[mid for _, _, mid in writes.sending]])
                done = {pk for (pk,) in cursor.fetchall()}
                marked = [pk for pk in marked if pk in done]
    stats.sent += len(writes.sent)
    stats.failed += len(writes.failed)
    stats.retried += len(writes.retry)
    stats.skipped += len(writes.skipped)
    writes.__init__()
    return marked


def _mark_sending(*, delivery_id: int, attempts: int, message_id: str) -> None:
    """Mark one delivery ``sending`` (committed) as the pipeline does just
    before its provider call."""
    _write(_Writes(sending=[(delivery_id, attempts, message_id)]), SendStats())


def _record_outcomes(outcomes, attempts: dict[int, int], writes: _Writes) -> BaseException | None:
    """Turn a finished group's outcomes into writes; returns the first
    unexpected provider exception (its delivery stays ``sending``: its
    outcome is unknown)."""
    unexpected = None
    for delivery_id, exc in outcomes:
        tries = attempts.pop(delivery_id)
        if exc is None:
            writes.sent.append(delivery_id)
        elif isinstance(exc, PermanentError):
            writes.failed.append((delivery_id, str(exc)))
        elif isinstance(exc, ProviderError):
            if tries >= MAX_ATTEMPTS:
                writes.failed.append((delivery_id, f"gave up after {tries} attempts: {exc}"))
            else:
                writes.retry.append((delivery_id, timezone.now() + backoff(tries), str(exc)))
        elif unexpected is None:
            unexpected = exc
    return unexpected


def issue_send(*, issue_id: int, provider: BaseProvider | None = None,
               batch_size: int = BATCH_SIZE, max_messages: int | None = None) -> SendStats:
    """Send what is due of one issue until nothing is claimable, the issue is
    paused or cancelled, or ``max_messages`` were attempted. Safe to run in
    several processes at once and safe to run twice.

    Uses :func:`connections_per_sender` connections of the configured
    provider, or only ``provider`` when one is given (sent from the calling
    thread). At most :func:`unknown_max` deliveries are ``sending`` without
    a written outcome at any time. Raises what the provider raises when it
    fails in an unexpected way (after writing every other outcome)."""
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
    try:
        pool = ProviderPool.open(envelope_from=envelope_from, provider=provider,
                                 connections=connections_per_sender())
    except ProviderError as exc:  # refused connection, TLS or login failure
        logger.warning("provider unavailable: %s", exc)
        stats.errors.append(str(exc))
        _schedule_retry_all(issue=issue, error=str(exc))
        return stats
    group_size, max_groups = sending_groups(connections=pool.size, limit=unknown_max())
    writes = _Writes()
    attempts: dict[int, int] = {}  # delivery id -> attempt number, while in flight
    attempted = 0
    unexpected: BaseException | None = None
    confirmed = Subscriber.Status.CONFIRMED.value
    claimed: collections.deque[_Claimed] = collections.deque()
    try:
        stop = exhausted = False
        while True:
            # Keep up to max_groups groups in flight.
            while not stop and pool.in_flight < max_groups:
                if not claimed and not exhausted:
                    if not _still_sending(issue):
                        stop = True
                        break
                    claimed.extend(_claim_rows(issue_id=issue.pk, batch_size=batch_size,
                                               now=timezone.now()))
                    exhausted = not claimed
                if not claimed:
                    break
                if max_messages is not None and attempted >= max_messages:
                    stop = True
                    break
                group = []
                while claimed and len(group) < group_size and (
                        max_messages is None or attempted + len(group) < max_messages):
                    row = claimed.popleft()
                    if row.subscriber_status != confirmed or row.email_key in suppressed:
                        writes.skipped.append(row.delivery_id)
                        continue
                    key = _Key(row.subscriber_id, row.email_key)
                    try:
                        built = prepared.build(to_email=row.email, to_name=row.name,
                                               unsubscribe_url=unsubscribe_url_for(key),
                                               manage_url=manage_url_for(key))
                    except ValueError as exc:
                        # this recipient's address or name cannot be put in a
                        # message (e.g. a non-ASCII local part from an old
                        # import): fail this delivery only, never the issue
                        writes.failed.append((row.delivery_id, f"not sendable: {exc}"))
                        continue
                    attempts[row.delivery_id] = row.attempts + 1
                    writes.sending.append((row.delivery_id, row.attempts + 1, built.message_id))
                    group.append((row.delivery_id, row.email, built.data))
                # the finished group's outcomes and this group's marks: one
                # statement; no marks once the issue is paused or cancelled
                marked = set(_write(writes, stats, issue_id=issue.pk))
                refused = [job for job in group if job[0] not in marked]
                if refused:
                    stop = True
                    for job in refused:
                        attempts.pop(job[0])
                    _release_ids([job[0] for job in refused])
                    group = [job for job in group if job[0] in marked]
                if group:
                    attempted += len(group)
                    pool.submit(group)
            if not pool.in_flight:
                break
            found = _record_outcomes(pool.wait(), attempts, writes)
            if found is not None:
                unexpected = unexpected or found
                stop = True
            if stop or (exhausted and not claimed):
                _write(writes, stats)  # no next group to write them with
        _write(writes, stats)
        if claimed:  # stopped early: hand the rest back, never attempted
            _release_ids([row.delivery_id for row in claimed])
            claimed.clear()
    finally:
        try:
            while pool.in_flight:
                found = _record_outcomes(pool.wait(), attempts, writes)
                unexpected = unexpected or found
            _write(writes, stats)
        finally:
            pool.close()
    if unexpected is not None:
        raise unexpected
    issue_finish_if_done(issue=issue)
    return stats


@dataclass(frozen=True, slots=True)
class _Key:
    """What the link signers need of a subscriber (``pk``, ``email_key``)."""

    pk: int
    email_key: str


def _still_sending(issue: Issue) -> bool:
    return Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).exists()


def _release_ids(ids: list[int]) -> None:
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
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
