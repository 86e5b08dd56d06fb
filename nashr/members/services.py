"""Writes for members: sign-in links, signing in, the account page's actions.

Sign-in by magic link (django-sesame tokens, scope ``"nashr-signin"``)::

    email form ──► (member?) ──► email with a link ──► GET: a page with a button
                                                   └─► POST: signed in (the link is spent)

- The form answers the same page for every address (member, subscriber
  still pending, stranger, rate-limited): which addresses are members is not
  something a stranger can learn from it. The email itself is sent by a
  background task (:func:`.tasks.signin_email_send_task`), so the answer also
  takes the same time whatever the address.
- A link is bound to its member's user and address (sesame's
  ``SESAME_INVALIDATE_ON_EMAIL_CHANGE``), expires after
  ``NASHR_SIGNIN_LINK_MAX_AGE_MINUTES`` (``SESAME_MAX_AGE``) and works once:
  signing in sets ``last_login``, which is part of what the signature covers
  (``SESAME_ONE_TIME``). The token is never stored: the task makes it.
- Limits: ``NASHR_SIGNIN_LIMIT_PER_IP`` per ``NASHR_SIGNIN_WINDOW_PER_IP_S``
  and ``NASHR_SIGNIN_LIMIT_PER_ADDRESS`` per
  ``NASHR_SIGNIN_WINDOW_PER_ADDRESS_S`` (fixed windows, :mod:`nashr.newsletter.ratelimit`).
"""

from __future__ import annotations

import enum
import logging
import secrets
from datetime import datetime
from email.utils import formataddr
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from nashr.arabic.counting import count_phrase
from nashr.newsletter.models import Subscriber, Suppression
from nashr.newsletter.ratelimit import rate_limit_hit
from nashr.newsletter.subscriptions import (
    _subject_header, newsletter_name, subscriber_email_key, subscriber_email_normalise,
    subscriber_unsubscribe,
)

from .models import Member
from .selectors import member_for_subscriber

logger = logging.getLogger(__name__)

__all__ = [
    "SigninOutcome", "TokenState", "SIGNIN_SCOPE",
    "member_signin_request", "member_ensure", "member_signin_url", "member_signin_email_send",
    "member_token_check", "member_signin", "member_newsletter_set", "member_delete", "next_url_clean",
]

#: sesame scope of sign-in links: a token made for anything else is refused
SIGNIN_SCOPE = "nashr-signin"


class SigninOutcome(enum.StrEnum):
    """What a sign-in request did. For logs and tests only: the reader sees
    the same page for every outcome."""

    SENT = "sent"                  # a member: the email is queued
    NOT_MEMBER = "not_member"      # unknown, pending, cleaned or suppressed: nothing sent
    RATE_LIMITED = "rate_limited"  # over a limit: nothing sent


class TokenState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"   # correctly signed, older than the maximum age
    INVALID = "invalid"   # used already, tampered with, truncated, or the account changed


def _mask(email: str) -> str:
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def minutes_phrase(minutes: int) -> str:
    """"30 دقيقة", "5 دقائق", "دقيقتين", "دقيقة واحدة": the noun after a
    number by CLDR's Arabic plural categories
    (:func:`nashr.arabic.counting.count_phrase`).

    >>> [minutes_phrase(n) for n in (1, 2, 5, 15, 30, 100)]
    ['دقيقة واحدة', 'دقيقتين', '5 دقائق', '15 دقيقة', '30 دقيقة', '100 دقيقة']
    """
    return count_phrase(minutes, one="دقيقة واحدة", two="دقيقتين", few="{n} دقائق", many="{n} دقيقة")


def signin_lifetime_phrase() -> str:
    """How long a sign-in link lives, for "valid for …"."""
    return minutes_phrase(settings.NASHR_SIGNIN_LINK_MAX_AGE_MINUTES)


def next_url_clean(next_url: str | None) -> str:
    """``next_url`` if it is a path on this site, else ``""``: a sign-in
    link must never send a reader to another host (open redirect).

    >>> next_url_clean("/economy/article/")
    '/economy/article/'
    >>> next_url_clean("https://evil.example/")
    ''
    >>> next_url_clean("//evil.example/x")
    ''
    """
    if not next_url or len(next_url) > 1000 or not next_url.startswith("/"):
        return ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return ""
    return next_url


def member_signin_request(*, email: str, client_ip: str = "", next_url: str = "",
                          now: datetime | None = None) -> SigninOutcome:
    """Handle one post of the sign-in form.

    Args:
        email: the address as typed (validated by
            :func:`nashr.newsletter.subscriptions.subscriber_email_normalise`).
        client_ip: the rate-limit bucket (:func:`nashr.newsletter.ratelimit.client_ip`);
            ``""`` skips the per-IP limit.
        next_url: where to go after signing in (kept only if on this site).

    Returns:
        a :class:`SigninOutcome`; for :attr:`SigninOutcome.SENT` the email is
        sent by a background task after the transaction commits.

    Raises:
        ValidationError: the address is not an address (Arabic message).
    """
    from .tasks import signin_email_send_task

    email = subscriber_email_normalise(email=email)
    key = subscriber_email_key(email=email)
    if client_ip and not rate_limit_hit(
        scope="signin-ip", key=client_ip, limit=settings.NASHR_SIGNIN_LIMIT_PER_IP,
        window_s=settings.NASHR_SIGNIN_WINDOW_PER_IP_S,
    ):
        logger.warning("member sign-in rate-limited (ip %s): %s", client_ip, _mask(email))
        return SigninOutcome.RATE_LIMITED
    if not rate_limit_hit(
        scope="signin-address", key=key, limit=settings.NASHR_SIGNIN_LIMIT_PER_ADDRESS,
        window_s=settings.NASHR_SIGNIN_WINDOW_PER_ADDRESS_S,
    ):
        logger.warning("member sign-in rate-limited (address): %s", _mask(email))
        return SigninOutcome.RATE_LIMITED
    subscriber = Subscriber.objects.filter(email_key=key).first()
    if (subscriber is None or not member_for_subscriber(subscriber=subscriber)
            or Suppression.objects.filter(email_key=key).exists()):
        logger.info("member sign-in for a non-member: %s", _mask(email))
        return SigninOutcome.NOT_MEMBER
    with transaction.atomic():
        member = member_ensure(subscriber=subscriber)
        next_url = next_url_clean(next_url)
        transaction.on_commit(lambda: signin_email_send_task.enqueue(member.pk, next_url))
    return SigninOutcome.SENT


def member_ensure(*, subscriber: Subscriber) -> Member:
    """The subscriber's :class:`Member`, created (with its Django user) on
    first use. The user has an unusable password, is not staff, has no
    groups, and is named ``member-<16 hex>``; its ``email`` is kept equal to
    the subscriber's address key, so a link made before an address change
    stops working after it."""
    member = Member.objects.select_related("user").filter(subscriber=subscriber).first()
    if member is None:
        User = get_user_model()
        user = User(username=f"member-{secrets.token_hex(8)}", email=subscriber.email_key,
                    is_staff=False, is_superuser=False, is_active=True)
        user.set_unusable_password()
        user.save()
        try:
            with transaction.atomic():
                member = Member.objects.create(user=user, subscriber=subscriber)
        except IntegrityError:
            # Two first sign-in requests at once (a double click): the other
            # one made the member first. Use it; drop the user made here.
            user.delete()
            member = Member.objects.select_related("user").get(subscriber=subscriber)
    elif member.user.email != subscriber.email_key:
        member.user.email = subscriber.email_key
        member.user.save(update_fields=["email"])
    return member


def member_signin_url(*, member: Member, next_url: str = "") -> str:
    """The absolute magic link for ``member`` (``NASHR_SITE_URL`` +
    ``/account/signin/link/?sesame=<token>[&next=<path>]``)."""
    from sesame.utils import get_parameters

    params = get_parameters(member.user, scope=SIGNIN_SCOPE)
    next_url = next_url_clean(next_url)
    if next_url:
        params["next"] = next_url
    return f"{settings.SITE_URL}{reverse('members:signin_link')}?{urlencode(params)}"


def member_signin_email_send(*, member_id: int, next_url: str = "") -> bool:
    """Send the sign-in email (plain text + RTL HTML, Arabic subject) with
    a fresh link. Does nothing if the member is gone or no longer a member.

    Returns ``True`` if the backend accepted it; errors are logged, never
    raised (the reader can ask again)."""
    member = Member.objects.select_related("user", "subscriber").filter(pk=member_id).first()
    if member is None or not member_for_subscriber(subscriber=member.subscriber):
        return False
    url = member_signin_url(member=member, next_url=next_url)
    minutes = signin_lifetime_phrase()
    context = {
        "site_name": settings.NASHR_SITE_NAME, "site_url": settings.SITE_URL,
        "newsletter_name": newsletter_name(), "signin_url": url, "minutes": minutes,
    }
    subject = f"رابط الدخول إلى {settings.NASHR_SITE_NAME}"
    message = EmailMultiAlternatives(
        subject=_subject_header(subject),
        body=render_to_string("members/email/signin.txt", context),
        from_email=formataddr((settings.NASHR_NEWSLETTER_FROM_NAME, settings.NASHR_NEWSLETTER_FROM_EMAIL)),
        to=[member.subscriber.email],
        # a sign-in link must not be shown by the mail client as a "thread"
        # with an older link, nor cached by a provider's link rewriting
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("members/email/signin.html", context), "text/html")
    try:
        message.send(fail_silently=False)
    except Exception:  # noqa: BLE001 - any backend error: log; the reader can ask again
        logger.exception("member sign-in email to member %s failed", member.pk)
        return False
    return True


def member_token_check(*, token: str) -> tuple[TokenState, object | None]:
    """Check a sign-in token without spending it.

    Returns ``(TokenState.VALID, user)``, ``(TokenState.EXPIRED, None)`` for a
    correctly signed link older than ``SESAME_MAX_AGE``, or
    ``(TokenState.INVALID, None)`` for anything else (used already — a
    sign-in changes the signature's inputs —, truncated, tampered with, made
    for an editor, or the member was deleted or changed address)."""
    from sesame.utils import get_user

    if not token or len(token) > 200:
        return TokenState.INVALID, None
    user = get_user(token, scope=SIGNIN_SCOPE, update_last_login=False)
    if user is not None:
        return TokenState.VALID, user
    # Signed correctly but too old? Ask again with a ten-year maximum age.
    if get_user(token, scope=SIGNIN_SCOPE, max_age=10 * 365 * 86400, update_last_login=False) is not None:
        return TokenState.EXPIRED, None
    return TokenState.INVALID, None


def member_signin(*, request, token: str) -> TokenState:
    """Spend a sign-in token and sign the member in on ``request`` (a new
    session key and CSRF token: Django's :func:`~django.contrib.auth.login`).

    Single use even under a race: the token is spent by one conditional
    UPDATE of ``last_login`` (from the value the token was made with), so
    of two simultaneous posts of one link only one signs in.

    Returns the :class:`TokenState`; only ``VALID`` signed in."""
    state, user = member_token_check(token=token)
    if state != TokenState.VALID:
        return state
    User = get_user_model()
    with transaction.atomic():
        spent = User._default_manager.filter(pk=user.pk, last_login=user.last_login).update(
            last_login=timezone.now())
    if not spent:
        return TokenState.INVALID
    user.refresh_from_db(fields=["last_login"])
    login(request, user, backend="nashr.members.backends.MemberTokenBackend")
    request.__dict__.pop("_nashr_member", None)  # who is reading just changed
    logger.info("member %s signed in", user.pk)
    return TokenState.VALID


def member_newsletter_set(*, member: Member, on: bool, now: datetime | None = None) -> bool:
    """Turn the member's newsletter on or off (the account page).

    Off: :func:`nashr.newsletter.subscriptions.subscriber_unsubscribe`
    (membership stays). On: back to ``confirmed`` at once, without a second
    double opt-in — the member just proved the address by signing in with a
    link sent to it. Nothing changes for a cleaned or suppressed address.

    Returns ``True`` if the status changed."""
    subscriber = member.subscriber
    if not on:
        return subscriber_unsubscribe(subscriber=subscriber, now=now)
    if Suppression.objects.filter(email_key=subscriber.email_key).exists():
        return False
    changed = Subscriber.objects.filter(
        pk=subscriber.pk, status=Subscriber.Status.UNSUBSCRIBED, confirmed_at__isnull=False,
    ).update(status=Subscriber.Status.CONFIRMED)
    subscriber.refresh_from_db()
    return bool(changed)


def member_delete(*, member: Member) -> None:
    """Delete the member's account and personal data: the subscriber row
    (address, name, dates; its deliveries go with it), the member row and
    its Django user. A suppression-list entry for the address, if the
    newsletter app made one (bounce, complaint), stays: it exists so the
    address is never mailed again. Comments posted with the address keep
    their text but lose the address, name, website and client data
    (:func:`nashr.comments.services.comments_author_forget`). Nothing else
    about the member is kept."""
    from nashr.comments.services import comments_author_forget

    with transaction.atomic():
        user_id, subscriber_id, member_id = member.user_id, member.subscriber_id, member.pk
        email = Subscriber.objects.filter(pk=subscriber_id).values_list("email", flat=True).first()
        comments_author_forget(email=email or "")
        Member.objects.filter(pk=member_id).delete()
        Subscriber.objects.filter(pk=subscriber_id).delete()
        get_user_model()._default_manager.filter(pk=user_id, is_staff=False, is_superuser=False).delete()
    logger.info("member %s deleted with subscriber %s", member_id, subscriber_id)
