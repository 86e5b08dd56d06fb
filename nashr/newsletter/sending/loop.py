"""The send loop: :func:`issue_send` claims rows, builds each recipient's
message, marks groups ``sending``, hands them to the provider pool and
writes the outcomes; with the small helpers it alone uses."""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import Delivery, Issue, Subscriber, Suppression
from ..providers import BaseProvider, ProviderError, ProviderPool
from .claiming import _claim_rows, _Claimed
from .issues import issue_finish_if_done, issue_render_once
from .limits import BACKOFF_BASE_S, BATCH_SIZE, connections_per_sender, sending_groups, unknown_max
from .recovery import deliveries_recover
from .writes import SendStats, _record_outcomes, _write, _Writes

#: the pipeline's one logger, whichever of its modules logs
logger = logging.getLogger("nashr.newsletter.sending")


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
    from ..message import prepare_issue
    from ..tokens import manage_url_for, unsubscribe_url_for

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
