"""Recovering after a crash: stale ``sending`` rows become ``unknown``, stale
claims are released, and the operator's decision on an ``unknown`` delivery."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from ..models import Delivery, Issue
from .limits import STALE_CLAIM_AFTER, STALE_SENDING_AFTER

#: the pipeline's one logger, whichever of its modules logs
logger = logging.getLogger("nashr.newsletter.sending")


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
