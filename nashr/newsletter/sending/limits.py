"""The pipeline's numbers: retry and staleness limits, batch size, backoff,
and the connection and in-flight settings that shape the send loop."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..models import Delivery

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
