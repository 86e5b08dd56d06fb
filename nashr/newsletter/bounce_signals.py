"""anymail's tracking webhooks → :mod:`.bounces`.

django-anymail receives each provider's webhook at
``/anymail/<esp>/tracking/`` (basic auth with ``ANYMAIL["WEBHOOK_SECRET"]``;
Mailgun and others also check the provider's signature), normalises it to
an ``AnymailTrackingEvent`` and sends the ``anymail.signals.tracking``
signal; this receiver stays thin and calls the services.

A receiver error becomes an HTTP 500 and the provider retries later, which
is what we want for a database outage; an event that can never succeed
(no recipient, a malformed address) is logged and answered 200 instead.
"""

from __future__ import annotations

import logging

from anymail.signals import tracking
from django.dispatch import receiver

from .bounces import (
    bounce_kind_for_event, bounce_record, provider_unsubscribe_record,
    subscriber_soft_bounces_reset,
)

logger = logging.getLogger(__name__)


@receiver(tracking, dispatch_uid="nashr.newsletter.bounce_signals.tracking_received")
def tracking_received(sender, event, esp_name: str = "", **kwargs) -> None:
    kind = bounce_kind_for_event(event=event)
    if kind is None:
        return
    if not event.recipient:
        logger.warning("%s %s event without a recipient ignored", esp_name, event.event_type)
        return
    event_id = f"{esp_name}:{event.event_id}" if event.event_id else ""
    try:
        if kind == "delivered":
            subscriber_soft_bounces_reset(email=event.recipient)
        elif kind == "unsubscribe":
            provider_unsubscribe_record(email=event.recipient, event_id=event_id)
        else:
            detail = " — ".join(part for part in (
                f"{esp_name} {event.event_type}".strip(), event.description, event.mta_response,
            ) if part)
            outcome = bounce_record(email=event.recipient, kind=kind, message_id=event.message_id or "",
                                    detail=detail, event_id=event_id)
            logger.info("%s %s → %s", esp_name, kind, outcome.value)
    except ValueError as exc:
        logger.warning("%s %s event ignored: %s", esp_name, event.event_type, exc)
