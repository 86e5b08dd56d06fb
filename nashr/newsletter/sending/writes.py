"""The send loop's writes: pending outcomes and ``sending`` marks gathered in
:class:`_Writes` and written in one statement per group, the run's
:class:`SendStats`, and provider outcomes turned into writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from ..models import Delivery, Issue
from ..providers import PermanentError, ProviderError
from .limits import MAX_ATTEMPTS, backoff


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
