"""Signed links for subscribers: confirm (expiring), unsubscribe and manage
(never expiring).

A token carries only the subscriber id and a signature; the signature covers
the id *and* the subscriber's ``email_key``, so a link keeps working only for
the address it was made for: if the row is deleted and the id reused (SQLite
reuses the highest rowid), or the address changes, the old link is invalid.
No address, not even a hash of one, appears in a URL.

Token shapes (``django.core.signing``; HMAC-SHA256, URL-safe base64, each
kind with its own salt so one kind is never accepted as another)::

    confirm       "<id>:<timestamp base62>:<signature>"   max age NASHR_CONFIRMATION_MAX_AGE_HOURS
    unsubscribe   "<id>:<signature>"                       no expiry
    manage        "<id>:<signature>"                       no expiry

Unsubscribe links must work for as long as old emails exist (CAN-SPAM asks
for 30 days at least; mailbox providers expect them to keep working), so they
never expire, and signatures made with a key listed in
``SECRET_KEY_FALLBACKS`` are still accepted after ``SECRET_KEY`` is rotated.

The ``*_url_for`` helpers are called once per recipient by the issue
builder and cost one HMAC computation each and no query: the HMAC key
Django's ``Signer`` derives from the salt and ``SECRET_KEY`` on every call
(``salted_hmac``: SHA-256 of salt + key) is derived once per (salt, key)
here, and the signature is made from a copy of the keyed HMAC object. The
tokens are byte for byte what ``Signer.sign`` makes (tested), so either
side can check the other's.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Subscriber

__all__ = [
    "TokenError", "TokenExpired", "TokenInvalid",
    "confirm_token_make", "confirm_token_check", "confirm_url_for",
    "unsubscribe_token_make", "unsubscribe_token_check", "unsubscribe_url_for",
    "manage_token_make", "manage_token_check", "manage_url_for",
]

_SALT_CONFIRM = "nashr.newsletter.confirm"
_SALT_UNSUBSCRIBE = "nashr.newsletter.unsubscribe"
_SALT_MANAGE = "nashr.newsletter.manage"
_SEP = ":"


class _HasKey(Protocol):
    pk: int
    email_key: str


class TokenError(Exception):
    """A link that cannot be honoured."""


class TokenInvalid(TokenError):
    """Malformed, tampered with, made for another address or another kind of
    link, or for a subscriber that no longer exists."""


class TokenExpired(TokenError):
    """Correctly signed but older than its maximum age (confirm links only)."""


def _signed_value(subscriber_id: int, email_key: str) -> str:
    return f"{int(subscriber_id)}{_SEP}{email_key}"


def _make(signer: signing.Signer, subscriber_id: int, email_key: str) -> str:
    """Sign "<id>:<email_key>" and drop the email key from the result: the
    verifier puts it back from the database."""
    signed = signer.sign(_signed_value(subscriber_id, email_key))
    prefix = _signed_value(subscriber_id, email_key) + _SEP
    return f"{int(subscriber_id)}{_SEP}{signed[len(prefix):]}"


@functools.lru_cache(maxsize=16)
def _keyed_hmac(salt: str, secret: str) -> "hmac.HMAC":
    """The HMAC-SHA256 object keyed as ``django.core.signing.Signer(salt=salt)``
    keys it for ``SECRET_KEY == secret`` (``salted_hmac(salt + "signer", ...,
    secret)``: key = SHA-256(salt + "signer" + secret)), with no message yet."""
    key = hashlib.sha256((salt + "signer" + secret).encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _make_unexpiring(salt: str, subscriber_id: int, email_key: str) -> str:
    """The same token as ``_make(signing.Signer(salt=salt), ...)`` with the
    HMAC key derived once per (salt, ``SECRET_KEY``) instead of per call."""
    mac = _keyed_hmac(salt, settings.SECRET_KEY).copy()
    mac.update(_signed_value(subscriber_id, email_key).encode())
    signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")
    return f"{int(subscriber_id)}{_SEP}{signature}"


def _split(token: str) -> tuple[int, str]:
    """``(subscriber id, rest)``; raises :class:`TokenInvalid`."""
    head, sep, rest = (token or "").partition(_SEP)
    if not sep or not head.isascii() or not head.isdigit() or not rest or len(token) > 200:
        raise TokenInvalid("malformed token")
    return int(head), rest


def _check(signer: signing.Signer, token: str, *, max_age: timedelta | None = None) -> Subscriber:
    subscriber_id, rest = _split(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        raise TokenInvalid("no such subscriber")
    full = _signed_value(subscriber.pk, subscriber.email_key) + _SEP + rest
    try:
        if max_age is None:
            signer.unsign(full)
        else:
            signer.unsign(full, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenExpired(str(exc)) from exc
    except signing.BadSignature as exc:
        raise TokenInvalid(str(exc)) from exc
    return subscriber


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


_TOKEN_PLACEHOLDER = "NASHRTOKEN"


@functools.lru_cache(maxsize=32)
def _path_template(name: str, urlconf) -> str:
    return reverse(name, kwargs={"token": _TOKEN_PLACEHOLDER}, urlconf=urlconf)


def _path_for(name: str, token: str) -> str:
    """``reverse(name, token=token)`` without resolving the URL pattern for
    every recipient (it cost ~150 µs a message, more than signing)."""
    from django.urls import get_urlconf

    return _path_template(name, get_urlconf()).replace(_TOKEN_PLACEHOLDER, token)


# --- confirm (double opt-in) ----------------------------------------------

def confirm_max_age() -> timedelta:
    """How long a confirmation link lives: ``NASHR_CONFIRMATION_MAX_AGE_HOURS``
    (default 72 hours)."""
    return timedelta(hours=settings.NASHR_CONFIRMATION_MAX_AGE_HOURS)


def confirm_token_make(*, subscriber: _HasKey) -> str:
    """A confirmation token for ``subscriber``, timestamped now.

    Returns ``"<id>:<timestamp>:<signature>"`` (about 60 ASCII characters,
    safe in a URL path segment)."""
    return _make(signing.TimestampSigner(salt=_SALT_CONFIRM), subscriber.pk, subscriber.email_key)


def confirm_token_check(*, token: str) -> Subscriber:
    """The subscriber a confirmation token was made for.

    Raises :class:`TokenExpired` when older than :func:`confirm_max_age`,
    :class:`TokenInvalid` for anything else that is wrong. Reads one row;
    changes nothing."""
    return _check(signing.TimestampSigner(salt=_SALT_CONFIRM), token, max_age=confirm_max_age())


def confirm_url_for(subscriber: _HasKey) -> str:
    """Absolute confirmation URL (``SITE_URL`` + ``/newsletter/confirm/<token>/``)."""
    token = confirm_token_make(subscriber=subscriber)
    return _absolute(_path_for("newsletter:confirm", token))


# --- unsubscribe and manage (no expiry) -------------------------------------

def unsubscribe_token_make(*, subscriber_id: int, email_key: str) -> str:
    """An unsubscribe token ``"<id>:<signature>"`` (no query: usable with rows
    read by ``values_list``)."""
    return _make_unexpiring(_SALT_UNSUBSCRIBE, subscriber_id, email_key)


def unsubscribe_token_check(*, token: str) -> Subscriber:
    """The subscriber an unsubscribe token was made for; raises
    :class:`TokenInvalid`. Never expires. Changes nothing."""
    return _check(signing.Signer(salt=_SALT_UNSUBSCRIBE), token)


def unsubscribe_url_for(subscriber: _HasKey) -> str:
    """Absolute per-recipient unsubscribe URL for emails and the
    ``List-Unsubscribe`` header: ``{SITE_URL}/newsletter/unsubscribe/<token>/``.

    ``subscriber`` is a :class:`~nashr.newsletter.models.Subscriber` (or any
    object with ``pk`` and ``email_key``). The URL accepts GET (a page with a
    button; changes nothing), the page's POST, and the RFC 8058 one-click
    POST (body ``List-Unsubscribe=One-Click``, no cookies, no CSRF token).
    Pure ASCII, no query string, never expires. No database query."""
    token = unsubscribe_token_make(subscriber_id=subscriber.pk, email_key=subscriber.email_key)
    return _absolute(_path_for("newsletter:unsubscribe", token))


def manage_token_make(*, subscriber_id: int, email_key: str) -> str:
    """A manage-preferences token ``"<id>:<signature>"`` (no query)."""
    return _make_unexpiring(_SALT_MANAGE, subscriber_id, email_key)


def manage_token_check(*, token: str) -> Subscriber:
    """The subscriber a manage token was made for; raises
    :class:`TokenInvalid`. Never expires. Changes nothing."""
    return _check(signing.Signer(salt=_SALT_MANAGE), token)


def manage_url_for(subscriber: _HasKey) -> str:
    """Absolute per-recipient "manage your subscription" URL:
    ``{SITE_URL}/newsletter/manage/<token>/`` — a page showing the address
    and its status with unsubscribe / subscribe-again buttons (POST, CSRF
    protected). Pure ASCII, never expires. No database query."""
    token = manage_token_make(subscriber_id=subscriber.pk, email_key=subscriber.email_key)
    return _absolute(_path_for("newsletter:manage", token))
