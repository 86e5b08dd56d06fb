"""The account emails of the newsletter: the double opt-in confirmation and
the welcome email, and the helpers that build them (Arabic subject encoded
as RFC 2047 words that each decode alone, RTL HTML + plain text, From
display name quoted by ``formataddr``).

Both are sent from background tasks (:mod:`.tasks`) queued when the
sign-up or confirmation commits, never inside the reader's request, and
both are safe to run twice. Errors from ``EMAIL_BACKEND`` are logged and
returned as ``False``, never raised: the sign-up is kept either way.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.header import Header
from email.utils import formataddr

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from nashr.arabic.counting import count_phrase

from .models import Subscriber, Suppression
from .tokens import confirm_url_for, manage_url_for, unsubscribe_url_for

logger = logging.getLogger("nashr.newsletter.subscriptions")

__all__ = [
    "newsletter_name", "confirmation_lifetime_phrase",
    "subscriber_confirmation_send", "subscriber_welcome_send",
]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def newsletter_name() -> str:
    """The newsletter's name for headings and subjects: ``نشرة <site>``, or
    the site name alone when it already begins with "نشرة"/"النشرة" (the
    default site "نشرة الصباح" must not become "نشرة نشرة الصباح")."""
    site = settings.NASHR_SITE_NAME.strip()
    if site.startswith(("نشرة", "النشرة")):
        return site
    return f"نشرة {site}"


def _hours_phrase(hours: int) -> str:
    """"72 ساعة", "3 ساعات", "ساعتين", "ساعة واحدة" — the noun after a
    number follows CLDR's Arabic plural categories (as in
    :func:`nashr.arabic.reading.format_reading_time`); accusative/genitive
    dual because it follows "خلال".

    >>> [_hours_phrase(n) for n in (1, 2, 3, 11, 72, 100)]
    ['ساعة واحدة', 'ساعتين', '3 ساعات', '11 ساعة', '72 ساعة', '100 ساعة']
    """
    return count_phrase(hours, one="ساعة واحدة", two="ساعتين", few="{n} ساعات", many="{n} ساعة")


def confirmation_lifetime_phrase() -> str:
    """How long a confirmation link lives, as an Arabic phrase for "valid
    for …" (``NASHR_CONFIRMATION_MAX_AGE_HOURS``: "72 ساعة")."""
    return _hours_phrase(settings.NASHR_CONFIRMATION_MAX_AGE_HOURS)


def _from_address() -> str:
    """``"<display name> <address>"``; ``formataddr`` quotes or RFC 2047-encodes
    the display name, so commas or Arabic in it cannot split the header."""
    return formataddr((settings.NASHR_NEWSLETTER_FROM_NAME, settings.NASHR_NEWSLETTER_FROM_EMAIL))


def _subject_header(subject: str) -> str:
    """``subject`` as RFC 2047 encoded-words on one line, for Django to fold.

    Django encodes a non-ASCII subject without counting the "Subject: "
    prefix, so Python's generator then breaks the line right after the
    colon and the decoded subject starts with a space. Encoding here with
    the header name counted avoids that. Python's ``Header`` splits UTF-8
    only between characters, so every encoded-word decodes on its own
    (RFC 2047 §5). ASCII subjects are returned unchanged.
    """
    if subject.isascii():
        return subject
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")
    return " ".join(encoded.split("\n "))


def _message(*, template: str, subject: str, to: str, context: dict,
             headers: dict[str, str] | None = None) -> EmailMultiAlternatives:
    context = {
        "site_name": settings.NASHR_SITE_NAME,
        "site_url": settings.SITE_URL,
        "newsletter_name": newsletter_name(),
        **context,
    }
    text = render_to_string(f"newsletter/email/{template}.txt", context)
    html = render_to_string(f"newsletter/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=_subject_header(subject), body=text, from_email=_from_address(),
                                     to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def _send_lock(kind: str, subscriber_id: int) -> tuple[str, bool]:
    """A short cache lock so two requests racing for one address do not both
    send; a cache outage lets the send through (the database checks hold)."""
    key = f"nashr:nl:{kind}-sending:{subscriber_id}"
    try:
        return key, bool(cache.add(key, 1, timeout=120))
    except Exception:  # noqa: BLE001
        logger.exception("cache unavailable for the %s send lock", kind)
        return "", True


def _send_unlock(key: str) -> None:
    if key:
        try:
            cache.delete(key)
        except Exception:  # noqa: BLE001
            logger.exception("cache unavailable releasing %s", key)


def subscriber_confirmation_send(*, subscriber_id: int, respect_interval: bool = True,
                                 now: datetime | None = None) -> bool:
    """Send the double opt-in email to a pending subscriber.

    Plain text + RTL HTML, Arabic subject ("أكّد اشتراكك في …"), From
    ``NASHR_NEWSLETTER_FROM_NAME <NASHR_NEWSLETTER_FROM_EMAIL>``, with a
    confirm link valid for ``NASHR_CONFIRMATION_MAX_AGE_HOURS``. The name
    the form was given is *not* put in this email: until the owner of the
    address confirms, it is a stranger's text.

    Safe to run twice and from a task: does nothing unless the subscriber is
    pending, not suppressed, and (with ``respect_interval``) was sent no
    confirmation in the last ``NASHR_CONFIRMATION_RESEND_HOURS`` hours.
    ``confirmation_sent_at`` is written only after the backend accepted the
    message.

    Returns:
        ``True`` if a message was handed to ``EMAIL_BACKEND``. Send errors
        (SMTP down, refused) are logged and give ``False``; never raised.
    """
    lock, acquired = _send_lock("confirm", subscriber_id)
    if not acquired:
        return False
    try:
        subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.PENDING).first()
        if subscriber is None:
            return False
        if Suppression.objects.filter(email_key=subscriber.email_key).exists():
            return False
        resend_after = timedelta(hours=_setting("NASHR_CONFIRMATION_RESEND_HOURS", 24))
        if (respect_interval and subscriber.confirmation_sent_at
                and _now(now) - subscriber.confirmation_sent_at < resend_after):
            return False
        message = _message(
            template="confirmation",
            subject=f"أكّد اشتراكك في {newsletter_name()}",
            to=subscriber.email,
            context={"confirm_url": confirm_url_for(subscriber),
                     "expires_phrase": confirmation_lifetime_phrase()},
        )
        try:
            message.send(fail_silently=False)
        except Exception:  # noqa: BLE001 - any backend error: keep the sign-up, log, retry later
            logger.exception("newsletter confirmation email to subscriber %s failed", subscriber.pk)
            return False
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now())
        return True
    finally:
        _send_unlock(lock)


def subscriber_welcome_send(*, subscriber_id: int) -> bool:
    """Send the welcome email to a confirmed subscriber, with their
    unsubscribe and manage links and the ``List-Unsubscribe`` (https and
    mailto) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
    headers (RFC 2369, RFC 8058).

    Returns ``True`` if the backend accepted it; errors are logged, never
    raised. Called once per pending → confirmed transition."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.CONFIRMED).first()
    if subscriber is None or Suppression.objects.filter(email_key=subscriber.email_key).exists():
        return False
    unsubscribe_url = unsubscribe_url_for(subscriber)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{settings.NASHR_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = _message(
        template="welcome",
        subject=f"أهلًا بك في {newsletter_name()}",
        to=subscriber.email,
        context={"name": subscriber.name, "unsubscribe_url": unsubscribe_url,
                 "manage_url": manage_url_for(subscriber)},
        headers=headers,
    )
    try:
        message.send(fail_silently=False)
    except Exception:  # noqa: BLE001
        logger.exception("newsletter welcome email to subscriber %s failed", subscriber.pk)
        return False
    return True
