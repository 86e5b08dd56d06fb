"""Claiming deliveries: one ``UPDATE ... RETURNING`` hands a batch of due,
queued rows to one worker, so two workers never get the same row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from ..models import Delivery, Issue, Subscriber
from .limits import BATCH_SIZE


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
