"""Writes for what email providers report back: bounces, complaints and
unsubscribes, which keep the suppression list.

What each report does (``kind``; :func:`bounce_kind_for_event` maps
anymail's normalised tracking events to it):

==============  =====================================================================
kind            effect
==============  =====================================================================
``hard``        the address goes on the suppression list at once (reason
                ``hard_bounce``); its subscriber, if any, becomes ``cleaned``
                (also when the address was on the list already)
``complaint``   the same, reason ``complaint`` (the reader pressed "spam")
``soft``        ``Subscriber.soft_bounces`` + 1; at ``NASHR_SOFT_BOUNCE_LIMIT``
                (default 3) consecutive soft bounces the address is suppressed
                (reason ``soft_bounce``) and the subscriber ``cleaned``
``unsubscribe`` the subscriber becomes ``unsubscribed`` (not suppressed: they may
                subscribe again)
``delivered``   the soft-bounce count goes back to 0 — soft bounces must be
                *consecutive* to suppress
==============  =====================================================================

anymail event type → kind (:func:`bounce_kind_for_event`):

* ``bounced`` → ``soft`` when the provider marks the bounce as temporary,
  else ``hard``. Temporary means, in this order: the provider's own bounce
  type says so (Postmark ``Type`` ``SoftBounce``/``Transient``, Brevo
  ``soft_bounce``, Amazon SES ``Transient: …``); else the first SMTP code in
  the MTA response is of class 4 (``4.2.2`` enhanced status, RFC 3463, or a
  ``452`` reply, RFC 5321 §4.2.1); else the description says "soft",
  "transient" or "temporar(y/ily)". Anything else is hard.
* ``deferred`` → nothing: the provider is still retrying; only its final
  verdict (``bounced``) counts.
* ``rejected`` (the provider refused to send) → ``hard`` when the reason is
  ``bounced`` or ``invalid`` (the provider already knows the address
  bounces), ``complaint`` for ``spam``, ``unsubscribe`` for
  ``unsubscribed``; other reasons (``blocked``, policy) → nothing: they say
  nothing about the address.
* ``complained`` → ``complaint``; ``unsubscribed`` → ``unsubscribe``;
  ``delivered`` → ``delivered``; everything else (``sent``, ``opened``,
  ``clicked``, ``failed``…) → nothing.

Idempotent: an event whose provider event id was seen before
(:class:`~.models.ProviderEvent`) changes nothing; without an id, a hard
bounce or complaint is idempotent by nature (already suppressed), and a soft
bounce is counted once per delivery when its ``message_id`` matches one.

A matching :class:`~.models.Delivery` (by ``message_id``, with or without
angle brackets, and the same address) is marked ``bounced`` or
``complained``. Providers whose events carry the ``Message-ID`` header
Nashr wrote (Mailgun) are matched; Postmark and Amazon SES report their
own ids, so with them only the subscriber and the suppression list are
updated.

The suppression list outlives subscribers: deleting a subscriber keeps its
suppression entry, so an address that bounced is never mailed again.
"""

from __future__ import annotations

import enum
import logging
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Delivery, ProviderEvent, Subscriber, Suppression
from .subscriptions import subscriber_email_key

logger = logging.getLogger(__name__)

__all__ = [
    "BounceOutcome", "BOUNCE_KINDS",
    "bounce_kind_for_event", "bounce_record", "provider_unsubscribe_record",
    "subscriber_soft_bounces_reset",
]

#: the kinds :func:`bounce_record` accepts
BOUNCE_KINDS = ("hard", "soft", "complaint")
#: Suppression.detail and Delivery.last_error keep at most this much
DETAIL_MAX_LENGTH = 1000

_REASON_FOR_KIND = {
    "hard": Suppression.Reason.HARD_BOUNCE,
    "soft": Suppression.Reason.SOFT_BOUNCE,
    "complaint": Suppression.Reason.COMPLAINT,
}

#: RFC 3463 enhanced status code (``5.1.1``), else RFC 5321 reply code (``550``)
_ENHANCED_STATUS = re.compile(r"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")
_REPLY_CODE = re.compile(r"(?<![\d.])([245])\d\d(?![\d.])")
_SOFT_WORDS = re.compile(r"soft|transient|temporar", re.IGNORECASE)
_HARD_WORDS = re.compile(r"hard|permanent", re.IGNORECASE)


class BounceOutcome(enum.StrEnum):
    """What :func:`bounce_record` did."""

    SUPPRESSED = "suppressed"                  # this report put the address on the suppression list
    ALREADY_SUPPRESSED = "already_suppressed"  # it was on the list already; nothing more changed
    COUNTED = "counted"                        # soft bounce counted, still below the limit
    IGNORED = "ignored"                        # soft bounce of an unknown address, or one already
                                               # counted for this delivery
    DUPLICATE = "duplicate"                    # this provider event was handled before


# --- mapping anymail's events ------------------------------------------------------

def _esp_type(esp_event) -> str:
    """The provider's own bounce type, where anymail's normalised event
    lost it: Postmark ``Type``, Brevo ``event``."""
    if not isinstance(esp_event, Mapping):
        return ""
    parts = [esp_event.get("Type"), esp_event.get("event")]
    return " ".join(p for p in parts if isinstance(p, str))


def _smtp_class(text: str) -> str:
    """``"4"`` or ``"5"`` (or ``"2"``) from the first SMTP code in ``text``,
    else ``""``.

    >>> _smtp_class("smtp; 550 5.1.1 <x@example.com>: user unknown")
    '5'
    >>> _smtp_class("452 4.2.2 mailbox full")
    '4'
    >>> _smtp_class("Mailbox over quota")
    ''
    """
    match = _ENHANCED_STATUS.search(text) or _REPLY_CODE.search(text)
    return match.group(1) if match else ""


def _bounce_is_soft(event) -> bool:
    declared = _esp_type(event.esp_event) + " " + (event.description or "").split(":", 1)[0]
    if _HARD_WORDS.search(declared):
        return False
    if _SOFT_WORDS.search(declared):
        return True
    code_class = _smtp_class(event.mta_response or "")
    if code_class:
        return code_class == "4"
    return bool(_SOFT_WORDS.search(event.description or ""))


def bounce_kind_for_event(*, event) -> str | None:
    """What an anymail tracking event means for Nashr (the table in this
    module's docstring).

    Args:
        event: an ``anymail.signals.AnymailTrackingEvent``.

    Returns:
        ``"hard"``, ``"soft"``, ``"complaint"``, ``"unsubscribe"``,
        ``"delivered"``, or ``None`` for events that change nothing.

    >>> from anymail.signals import AnymailTrackingEvent as E
    >>> bounce_kind_for_event(event=E(event_type="bounced", mta_response="550 5.1.1 no such user"))
    'hard'
    >>> bounce_kind_for_event(event=E(event_type="bounced", mta_response="452 4.2.2 mailbox full"))
    'soft'
    >>> bounce_kind_for_event(event=E(event_type="bounced", esp_event={"Type": "SoftBounce"}))
    'soft'
    >>> bounce_kind_for_event(event=E(event_type="bounced", description="Transient: MailboxFull"))
    'soft'
    >>> [bounce_kind_for_event(event=E(event_type=t)) for t in ("deferred", "complained", "opened")]
    [None, 'complaint', None]
    >>> bounce_kind_for_event(event=E(event_type="rejected", reject_reason="bounced"))
    'hard'
    """
    event_type = event.event_type
    if event_type == "bounced":
        return "soft" if _bounce_is_soft(event) else "hard"
    if event_type == "complained":
        return "complaint"
    if event_type == "unsubscribed":
        return "unsubscribe"
    if event_type == "delivered":
        return "delivered"
    if event_type == "rejected":
        return {"bounced": "hard", "invalid": "hard", "spam": "complaint",
                "unsubscribed": "unsubscribe"}.get(event.reject_reason or "")
    return None


# --- writes ---------------------------------------------------------------------------

def _key_for(email: str) -> str:
    if not isinstance(email, str) or "@" not in email.strip():
        raise ValueError(f"not an email address: {email!r}")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in email):
        raise ValueError(f"control characters in an email address: {email!r}")
    return subscriber_email_key(email=email)


def _message_ids(message_id: str) -> list[str]:
    """Both spellings of a Message-ID: Nashr stores ``<id@host>``; some
    providers drop the angle brackets."""
    bare = message_id.strip().strip("<>")
    return [bare, f"<{bare}>"] if bare else []


def _first_time(event_id: str, now: datetime) -> bool:
    """Record ``event_id``; ``False`` if it was recorded before (call inside
    a transaction: if the caller's work fails, the record goes with it and
    the provider's retry is handled afresh)."""
    if not event_id:
        return True
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(event_id=event_id[:255], created_at=now)
    except IntegrityError:
        return False
    return True


def bounce_record(*, email: str, kind: str, message_id: str = "", detail: str = "",
                  event_id: str = "", now: datetime | None = None) -> BounceOutcome:
    """Act on one bounce or complaint reported by the email provider.

    Args:
        email: the recipient as the provider reports it (the ASCII form
            Nashr sent to); looked up by :func:`.subscriptions.subscriber_email_key`.
        kind: ``"hard"``, ``"soft"`` or ``"complaint"`` (:data:`BOUNCE_KINDS`).
        message_id: the provider's id of the message, ``""`` if unknown; a
            :class:`Delivery` of this address with this ``message_id`` (with
            or without ``<>``) is marked ``bounced``/``complained``.
        detail: the provider's words (description, MTA response), kept in
            ``Suppression.detail`` and ``Delivery.last_error`` (≤ 1000 chars).
        event_id: the provider's event id, prefixed with the provider's name
            (``"Postmark:1234"``); an id seen before makes this a no-op.
        now: the current time, for tests.

    Returns:
        a :class:`BounceOutcome`.

    Raises:
        ValueError: ``kind`` is not one of :data:`BOUNCE_KINDS`; ``email``
            is empty, has no ``@`` or contains control characters (nothing
            is stored).

    Hard bounces and complaints of addresses with no subscriber (a deleted
    subscriber, an editor's test send) still suppress the address. Soft
    bounces of such addresses are ignored. The soft-bounce limit is
    ``settings.NASHR_SOFT_BOUNCE_LIMIT`` (default 3; the count is reset by a
    ``delivered`` event, :func:`subscriber_soft_bounces_reset`).
    """
    if kind not in BOUNCE_KINDS:
        raise ValueError(f"unknown bounce kind {kind!r}; expected one of {', '.join(BOUNCE_KINDS)}")
    key = _key_for(email)
    now = now or timezone.now()
    detail = (detail or "").strip()[:DETAIL_MAX_LENGTH]
    delivery_status = Delivery.Status.COMPLAINED if kind == "complaint" else Delivery.Status.BOUNCED

    with transaction.atomic():
        if not _first_time(event_id, now):
            logger.info("provider event %s already handled", event_id)
            return BounceOutcome.DUPLICATE
        deliveries = Delivery.objects.none()
        if message_id:
            deliveries = Delivery.objects.filter(message_id__in=_message_ids(message_id),
                                                 subscriber__email_key=key)
            if kind != "complaint":
                # a complaint outranks a bounce; a bounce never overwrites one
                deliveries = deliveries.exclude(status=delivery_status).exclude(
                    status=Delivery.Status.COMPLAINED)
            else:
                deliveries = deliveries.exclude(status=delivery_status)
        already_suppressed = Suppression.objects.filter(email_key=key).exists()

        if kind == "soft" and not already_suppressed:
            subscriber = Subscriber.objects.filter(email_key=key).first()
            if subscriber is None:
                return BounceOutcome.IGNORED
            if message_id and not deliveries.exists() and Delivery.objects.filter(
                    message_id__in=_message_ids(message_id), subscriber=subscriber).exists():
                return BounceOutcome.IGNORED  # this delivery's bounce was counted before
            deliveries.update(status=delivery_status, last_error=detail)
            Subscriber.objects.filter(pk=subscriber.pk).update(soft_bounces=F("soft_bounces") + 1)
            count = Subscriber.objects.filter(pk=subscriber.pk).values_list("soft_bounces", flat=True).get()
            limit = int(getattr(settings, "NASHR_SOFT_BOUNCE_LIMIT", 3))
            if count < limit:
                logger.info("soft bounce %d/%d for subscriber %s", count, limit, subscriber.pk)
                return BounceOutcome.COUNTED
            detail = f"{count} consecutive soft bounces; last: {detail}"[:DETAIL_MAX_LENGTH]

        deliveries.update(status=delivery_status, last_error=detail)
        cleaned = 0
        if kind != "soft" or not already_suppressed:
            # also when an operator suppressed the address by hand before:
            # the subscriber's status should say why they get no mail
            cleaned = Subscriber.objects.filter(email_key=key).exclude(
                status=Subscriber.Status.CLEANED).update(status=Subscriber.Status.CLEANED)
        if already_suppressed:
            return BounceOutcome.ALREADY_SUPPRESSED
        Suppression.objects.get_or_create(
            email_key=key, defaults={"reason": _REASON_FOR_KIND[kind], "detail": detail})
    logger.info("address suppressed (%s)%s", kind, "; subscriber cleaned" if cleaned else "")
    return BounceOutcome.SUPPRESSED


def provider_unsubscribe_record(*, email: str, event_id: str = "",
                                now: datetime | None = None) -> bool:
    """The reader unsubscribed through the provider (its own unsubscribe
    link or the mailbox's "unsubscribe" button): the subscriber becomes
    ``unsubscribed`` with ``unsubscribed_at``. Not suppressed — they may
    subscribe again on the site.

    Returns ``True`` if a subscriber's status changed; ``False`` for an
    unknown address, one already unsubscribed or cleaned, or an
    ``event_id`` seen before (so a provider retrying an old event cannot
    undo a later re-subscription).

    Raises:
        ValueError: ``email`` is empty, has no ``@`` or contains control
            characters.
    """
    key = _key_for(email)
    now = now or timezone.now()
    with transaction.atomic():
        if not _first_time(event_id, now):
            return False
        changed = Subscriber.objects.filter(
            email_key=key, status__in=[Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED],
        ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now)
    return bool(changed)


def subscriber_soft_bounces_reset(*, email: str) -> bool:
    """A message to ``email`` was delivered: its soft bounces are no longer
    consecutive, so the count goes back to 0. One UPDATE, only when the
    count is above 0. Returns ``True`` if a count was reset.

    Raises:
        ValueError: as :func:`bounce_record` for a malformed ``email``.
    """
    key = _key_for(email)
    return bool(Subscriber.objects.filter(email_key=key, soft_bounces__gt=0).update(soft_bounces=0))
