"""Writes for subscribing: validation, double opt-in, confirmation and
welcome emails, unsubscribing, and expiring sign-ups never confirmed.

Life of a subscriber (``Subscriber.status``)::

    (form) ──► pending ──confirm link + POST──► confirmed ──unsubscribe──► unsubscribed
                  │  ▲                                                         │
                  │  └──────────────── form or manage page ◄───────────────────┘
                  └── not confirmed within NASHR_CONFIRMATION_MAX_AGE_HOURS ──► deleted
                      (or back to unsubscribed, if it was a re-subscription)
    cleaned (bounce/complaint) and addresses on the suppression list: never
    mailed from here, and the form changes nothing for them.

The form answers the same way whatever the address's state (new, pending,
confirmed, unsubscribed, suppressed, rate-limited): which addresses are on
the list is not something a stranger can learn from it, and the only email
it can cause is a confirmation request, at most one per address per
``NASHR_CONFIRMATION_RESEND_HOURS`` (24).

Limits (settings; defaults in brackets) — see :mod:`.ratelimit`:

==========================================  =======  ==================================
setting                                     default  meaning
==========================================  =======  ==================================
``NASHR_SUBSCRIBE_LIMIT_PER_IP``            5        valid sign-ups per client IP ...
``NASHR_SUBSCRIBE_WINDOW_PER_IP_S``         600      ... per this many seconds
``NASHR_SUBSCRIBE_LIMIT_PER_ADDRESS``       3        sign-ups per address ...
``NASHR_SUBSCRIBE_WINDOW_PER_ADDRESS_S``    3600     ... per this many seconds
``NASHR_CONFIRMATION_RESEND_HOURS``         24       at most one confirmation email per
                                                     address in this many hours
``NASHR_CONFIRMATION_MAX_AGE_HOURS``        72       confirm links and unconfirmed
                                                     sign-ups expire
==========================================  =======  ==================================

Emails go through ``django.core.mail`` (``EMAIL_BACKEND``), after the
database transaction commits; a send that fails is logged and leaves
``confirmation_sent_at`` unset, so the sign-up is kept and the next form
submission sends again.
"""

from __future__ import annotations

import enum
import logging
import unicodedata
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import Q
from django.utils.encoding import punycode

from .account_emails import (  # noqa: F401 - re-exported: part of this module's API
    _now,
    _setting,
    _subject_header,
    confirmation_lifetime_phrase,
    newsletter_name,
    subscriber_confirmation_send,
    subscriber_welcome_send,
)
from .models import Subscriber, Suppression
from .ratelimit import rate_limit_hit
from .tokens import confirm_max_age

logger = logging.getLogger(__name__)

__all__ = [
    "SubscribeOutcome",
    "newsletter_name", "confirmation_lifetime_phrase",
    "subscriber_email_normalise", "subscriber_email_key", "subscriber_name_clean",
    "subscriber_subscribe", "subscriber_resubscribe", "subscriber_confirmation_send",
    "subscriber_confirm", "subscriber_welcome_send", "subscriber_unsubscribe",
    "subscribers_expire_unconfirmed",
]

EMAIL_MAX_LENGTH = 254  # RFC 5321 §4.5.3.1.3: a 256-octet path minus "<" and ">"
LOCAL_PART_MAX_LENGTH = 64  # RFC 5321 §4.5.3.1.1
NAME_MAX_LENGTH = 200  # Subscriber.name

MSG_EMAIL_REQUIRED = "أدخل عنوان بريدك الإلكتروني."
MSG_EMAIL_INVALID = "هذا العنوان لا يبدو بريدًا إلكترونيًا صالحًا. اكتبه هكذا: name@example.com"
MSG_EMAIL_CONTROL = ("لا يمكن أن يحتوي البريد الإلكتروني على فواصل أسطر أو محارف تحكّم. "
                     "اكتب العنوان في سطر واحد.")
MSG_EMAIL_TOO_LONG = "عنوان البريد أطول من المسموح (254 حرفًا)."
MSG_NAME_CONTROL = "لا يمكن أن يحتوي الاسم على فواصل أسطر أو محارف تحكّم. اكتبه في سطر واحد."
MSG_NAME_TOO_LONG = "الاسم أطول من المسموح (200 حرف)."

#: Embedding and override controls (LRE, RLE, PDF, LRO, RLO) and isolates
#: (LRI, RLI, FSI, PDI), Unicode UAX #9: stripped from names so a name can
#: never reorder the text around it (in the admin, in emails, in CSV exports).
#: LRM/RLM and ZWJ/ZWNJ stay: they are ordinary in Arabic and Persian names.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))

_email_validator = EmailValidator(message=MSG_EMAIL_INVALID, allowlist=[])


class SubscribeOutcome(enum.StrEnum):
    """What a sign-up did. For logs and tests only: the reader sees the same
    page for every outcome."""

    CREATED = "created"                      # new pending subscriber; confirmation sent on commit
    RESENT = "resent"                        # still pending; confirmation sent again on commit
    RECENTLY_SENT = "recently_sent"          # still pending; a confirmation went out < 24 h ago
    RESUBSCRIBED = "resubscribed"            # unsubscribed → pending; confirmation sent on commit
    ALREADY_CONFIRMED = "already_confirmed"  # nothing changed, nothing sent
    SUPPRESSED = "suppressed"                # suppression list or cleaned: nothing sent
    RATE_LIMITED = "rate_limited"            # over a limit: nothing stored, nothing sent


def _mask(email: str) -> str:
    """``a***@example.com``: enough for an operator's log, not a list of addresses."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def _refuse_control_characters(value: str, *, message: str) -> None:
    """Refuse anything that can end or split a mail header line or a CSV
    cell: C0/C1 controls (CR, LF, NUL, TAB, NEL U+0085...; Unicode category
    Cc), LINE SEPARATOR U+2028 (Zl) and PARAGRAPH SEPARATOR U+2029 (Zp)."""
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            raise ValidationError(message, code="control_characters")


# --- validation -----------------------------------------------------------

def subscriber_email_normalise(*, email: str) -> str:
    """Validate an address typed into a form and return it normalised.

    The local part is kept as typed (RFC 5321 §2.4: only the receiving host
    may interpret its case); the domain is lower-cased and NFC-normalised.
    Internationalised domains (``قارئ@مثال.مصر``) are accepted when they
    have a valid IDNA form; the local part must be ASCII, as Django's
    ``EmailValidator`` requires. ``localhost`` and address literals
    (``user@[192.0.2.1]``) are refused: no reader has those.

    Args:
        email: the raw form value (``str``); surrounding spaces are ignored.

    Returns:
        ``local@domain`` with the domain lower-cased, at most 254 characters.

    Raises:
        ValidationError: with an Arabic message — empty; CR, LF, NUL or any
            other control character or U+2028/U+2029 (header injection);
            spaces or invisible format characters inside; not an address by
            ``EmailValidator``; local part over 64 or the address over 254
            characters (RFC 5321 §4.5.3.1).

    >>> subscriber_email_normalise(email="  Reader.Name@Example.COM ")
    'Reader.Name@example.com'
    """
    if not isinstance(email, str):
        raise ValidationError(MSG_EMAIL_INVALID, code="invalid")
    _refuse_control_characters(email, message=MSG_EMAIL_CONTROL)
    value = email.strip()
    if not value:
        raise ValidationError(MSG_EMAIL_REQUIRED, code="required")
    if any(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in value):
        raise ValidationError(MSG_EMAIL_INVALID, code="invalid")
    if "@" not in value:
        raise ValidationError(MSG_EMAIL_INVALID, code="invalid")
    local, _, domain = value.rpartition("@")
    domain = unicodedata.normalize("NFC", domain).lower()
    value = f"{local}@{domain}"
    _email_validator(value)
    if domain.startswith("["):
        raise ValidationError(MSG_EMAIL_INVALID, code="invalid")
    try:
        ascii_domain = punycode(domain)
    except UnicodeError:
        raise ValidationError(MSG_EMAIL_INVALID, code="invalid") from None
    if len(local) > LOCAL_PART_MAX_LENGTH:
        raise ValidationError(MSG_EMAIL_INVALID, code="invalid")
    if len(local) + 1 + len(ascii_domain) > EMAIL_MAX_LENGTH or len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(MSG_EMAIL_TOO_LONG, code="max_length")
    return value


def subscriber_email_key(*, email: str) -> str:
    """The identity of an address (``Subscriber.email_key``,
    ``Suppression.email_key``): the whole address lower-cased, with an
    internationalised domain in its ASCII (IDNA) form, so the Unicode and
    ``xn--`` spellings of one mailbox — and what an email provider reports
    in a bounce, which is the ASCII form Django sent to — are one key.

    Use it wherever an address is looked up (webhooks, imports).

    >>> subscriber_email_key(email="Reader@Example.com")
    'reader@example.com'
    >>> subscriber_email_key(email="qari@مثال.مصر")
    'qari@xn--mgbh0fb.xn--wgbh1c'
    """
    local, _, domain = email.strip().rpartition("@")
    try:
        domain = punycode(domain)
    except UnicodeError:
        pass
    return f"{local}@{domain}".lower()


def subscriber_name_clean(*, name: str) -> str:
    """Validate and tidy an optional display name (Arabic or any script).

    Bidi embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069)
    are removed, the text NFC-normalised and runs of spaces collapsed.

    Returns:
        the cleaned name, possibly ``""``; at most 200 characters.

    Raises:
        ValidationError: with an Arabic message — CR, LF, NUL, any other
            control character, U+2028 or U+2029; longer than 200 characters.

    >>> subscriber_name_clean(name="  \\u202eسارة   العلي ")
    'سارة العلي'
    """
    if not name:
        return ""
    _refuse_control_characters(name, message=MSG_NAME_CONTROL)
    value = unicodedata.normalize("NFC", name.translate(_BIDI_CONTROLS))
    value = " ".join(value.split())
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError(MSG_NAME_TOO_LONG, code="max_length")
    return value


# --- subscribing ------------------------------------------------------------

def subscriber_subscribe(*, email: str, name: str = "", source: str = "form",
                         client_ip: str = "", now: datetime | None = None) -> SubscribeOutcome:
    """Handle one sign-up from the form: the start of double opt-in.

    Args:
        email: the address as typed; validated by
            :func:`subscriber_email_normalise`.
        name: optional display name; cleaned by :func:`subscriber_name_clean`.
            Only stored when the row has no name yet, so a stranger typing
            someone's address cannot rename them.
        source: where the sign-up came from (``Subscriber.source``, ≤ 64).
        client_ip: the client's rate-limit bucket (:func:`.ratelimit.client_ip`);
            ``""`` skips the per-IP limit (imports, the shell).
        now: the current time, for tests.

    Returns:
        a :class:`SubscribeOutcome`. A confirmation email, when due, is sent
        by :func:`subscriber_confirmation_send` in a background task queued
        when the transaction commits.

    Raises:
        ValidationError: the address or name is refused (nothing stored).
    """
    email = subscriber_email_normalise(email=email)
    name = subscriber_name_clean(name=name)
    key = subscriber_email_key(email=email)
    return _subscribe(email=email, key=key, name=name, source=source[:64],
                      client_ip=client_ip, now=_now(now))


def subscriber_resubscribe(*, subscriber: Subscriber, client_ip: str = "",
                           now: datetime | None = None) -> SubscribeOutcome:
    """Subscribe again from the manage page (whose link proves nothing more
    than the form does: it may have been forwarded). Same rules and limits
    as :func:`subscriber_subscribe`: an unsubscribed subscriber becomes
    pending and is sent a confirmation email."""
    return _subscribe(email=subscriber.email, key=subscriber.email_key, name="",
                      source=subscriber.source, client_ip=client_ip, now=_now(now))


def _subscribe(*, email: str, key: str, name: str, source: str, client_ip: str,
               now: datetime) -> SubscribeOutcome:
    if client_ip and not rate_limit_hit(
        scope="subscribe-ip", key=client_ip,
        limit=_setting("NASHR_SUBSCRIBE_LIMIT_PER_IP", 5),
        window_s=_setting("NASHR_SUBSCRIBE_WINDOW_PER_IP_S", 600),
    ):
        logger.warning("newsletter sign-up rate-limited (ip %s): %s", client_ip, _mask(email))
        return SubscribeOutcome.RATE_LIMITED
    if not rate_limit_hit(
        scope="subscribe-address", key=key,
        limit=_setting("NASHR_SUBSCRIBE_LIMIT_PER_ADDRESS", 3),
        window_s=_setting("NASHR_SUBSCRIBE_WINDOW_PER_ADDRESS_S", 3600),
    ):
        logger.warning("newsletter sign-up rate-limited (address): %s from %s", _mask(email), client_ip)
        return SubscribeOutcome.RATE_LIMITED

    resend_after = timedelta(hours=_setting("NASHR_CONFIRMATION_RESEND_HOURS", 24))
    with transaction.atomic():
        if Suppression.objects.filter(email_key=key).exists():
            logger.info("newsletter sign-up for a suppressed address ignored: %s", _mask(email))
            return SubscribeOutcome.SUPPRESSED
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email_key=key,
            defaults={"email": email, "name": name, "source": source or "form",
                      "status": Subscriber.Status.PENDING},
        )
        respect_interval = True
        if created:
            outcome = SubscribeOutcome.CREATED
        elif subscriber.status == Subscriber.Status.CONFIRMED:
            return SubscribeOutcome.ALREADY_CONFIRMED
        elif subscriber.status == Subscriber.Status.CLEANED:
            return SubscribeOutcome.SUPPRESSED
        else:
            updates: dict = {}
            if name and not subscriber.name:
                updates["name"] = name
            if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                # Only the address's owner can unsubscribe it (the link is in
                # their mail), so this transition happens once per
                # unsubscription and may send even within 24 hours of the
                # last confirmation request.
                updates["status"] = Subscriber.Status.PENDING
                outcome = SubscribeOutcome.RESUBSCRIBED
                respect_interval = False
            elif subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < resend_after:
                outcome = SubscribeOutcome.RECENTLY_SENT
            else:
                outcome = SubscribeOutcome.RESENT
            if updates:
                Subscriber.objects.filter(pk=subscriber.pk).update(**updates)
        if outcome != SubscribeOutcome.RECENTLY_SENT:
            # Sent by a background task, not in this request: a new address
            # must not answer slower than a known one (address enumeration
            # by timing), and a slow SMTP server must not hold the reader.
            from .tasks import confirmation_send_task

            transaction.on_commit(partial(
                confirmation_send_task.enqueue, subscriber.pk, respect_interval,
            ))
    logger.info("newsletter sign-up %s: subscriber %s", outcome.value, subscriber.pk)
    return outcome


def subscriber_confirm(*, subscriber: Subscriber, now: datetime | None = None) -> bool:
    """Confirm a pending subscriber (the POST behind the confirm link).

    Sets ``status=confirmed`` and ``confirmed_at``; after commit queues the
    welcome email (:func:`subscriber_welcome_send`, in a background task). One conditional UPDATE,
    so of two concurrent confirmations only one wins and one welcome email
    goes out. ``subscriber`` is refreshed from the database.

    Returns:
        ``True`` if this call confirmed; ``False`` if the subscriber was
        not pending (already confirmed, unsubscribed, cleaned): nothing changed.
    """
    with transaction.atomic():
        changed = Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.PENDING).update(
            status=Subscriber.Status.CONFIRMED, confirmed_at=_now(now))
        if changed:
            from .tasks import welcome_send_task

            transaction.on_commit(partial(welcome_send_task.enqueue, subscriber.pk))
    subscriber.refresh_from_db()
    if changed:
        logger.info("newsletter subscriber %s confirmed", subscriber.pk)
    return bool(changed)


# --- unsubscribing and housekeeping -----------------------------------------

def subscriber_unsubscribe(*, subscriber: Subscriber, now: datetime | None = None) -> bool:
    """Unsubscribe (pending or confirmed → unsubscribed, ``unsubscribed_at``).

    Idempotent: an unsubscribed or cleaned subscriber is left as it is.
    ``subscriber`` is refreshed from the database.

    Returns:
        ``True`` if this call changed the status.
    """
    changed = Subscriber.objects.filter(
        pk=subscriber.pk,
        status__in=[Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED],
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=_now(now))
    subscriber.refresh_from_db()
    if changed:
        logger.info("newsletter subscriber %s unsubscribed", subscriber.pk)
    return bool(changed)


def subscribers_expire_unconfirmed(*, now: datetime | None = None) -> int:
    """Remove sign-ups never confirmed within ``NASHR_CONFIRMATION_MAX_AGE_HOURS``.

    A pending subscriber is stale when both its ``created_at`` and its last
    ``confirmation_sent_at`` (if any) are older than the maximum age — by
    then every link it was sent has expired. A stale *new* sign-up is
    deleted (with nothing else: it has no deliveries). A stale
    *re*-subscription (the row has ``unsubscribed_at``) goes back to
    ``unsubscribed``, keeping the record of the earlier unsubscription.

    Meant to run periodically (hourly is plenty); safe to run twice.

    Returns:
        the number of sign-ups expired (deleted + returned to unsubscribed).
    """
    cutoff = _now(now) - confirm_max_age()
    stale = Subscriber.objects.filter(status=Subscriber.Status.PENDING, created_at__lt=cutoff).filter(
        Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=cutoff))
    with transaction.atomic():
        reverted = stale.filter(unsubscribed_at__isnull=False).update(status=Subscriber.Status.UNSUBSCRIBED)
        _, per_model = stale.filter(unsubscribed_at__isnull=True).delete()
    deleted = per_model.get(Subscriber._meta.label, 0)
    if deleted or reverted:
        logger.info("newsletter: %s unconfirmed sign-ups deleted, %s returned to unsubscribed",
                    deleted, reverted)
    return deleted + reverted
