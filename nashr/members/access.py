"""Who may read an article in full: one pure rule, used by every route.

The article page, the feeds, search snippets, related-article cards, meta
tags and JSON-LD all ask :func:`article_is_gated` or :func:`can_read` and
never decide on their own, so a members-only body cannot leak through a
route that forgot the rule. No database access happens here: callers pass
the article (anything with ``access`` and a publication date) and the
reader's membership as a plain boolean.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

FULL: Literal["full"] = "full"
TEASER: Literal["teaser"] = "teaser"

ACCESS_FREE = "free"
ACCESS_MEMBERS = "members"


def article_is_gated(
    *,
    access: str,
    published: dt.datetime | None,
    now: dt.datetime,
    archive_days: int,
) -> bool:
    """Whether an article needs membership to be read in full.

    ``access`` is the article's own setting (``"free"`` or ``"members"``);
    ``published`` its first publication time (aware datetime, or None for
    a draft, which counts as new); ``archive_days`` the site setting
    ``NASHR_ARCHIVE_GATE_DAYS``: free articles older than that many whole
    days join the members-only archive (0 or less turns that off). Any
    ``access`` value other than ``"free"`` is treated as gated, so a typo
    closes rather than opens. Never raises.

    >>> now = dt.datetime(2026, 11, 29, 12, tzinfo=dt.timezone.utc)
    >>> article_is_gated(access="members", published=now, now=now, archive_days=0)
    True
    >>> article_is_gated(access="free", published=now, now=now, archive_days=0)
    False
    >>> old = now - dt.timedelta(days=31)
    >>> article_is_gated(access="free", published=old, now=now, archive_days=30)
    True
    >>> article_is_gated(access="free", published=old, now=now, archive_days=0)
    False
    >>> article_is_gated(access="free", published=None, now=now, archive_days=30)
    False
    >>> article_is_gated(access="Members ", published=now, now=now, archive_days=0)
    True
    """
    if access != ACCESS_FREE:
        return True
    if archive_days <= 0 or published is None:
        return False
    return now - published > dt.timedelta(days=archive_days)


def can_read(*, gated: bool, is_member: bool, is_editor: bool = False) -> Literal["full", "teaser"]:
    """``"full"`` or ``"teaser"`` for one reader of one article.

    ``gated`` comes from :func:`article_is_gated`; ``is_member`` is True for
    a signed-in, confirmed subscriber; ``is_editor`` for a signed-in user
    who may edit pages in the admin (editors always see what they publish).

    >>> can_read(gated=False, is_member=False)
    'full'
    >>> can_read(gated=True, is_member=False)
    'teaser'
    >>> can_read(gated=True, is_member=True)
    'full'
    >>> can_read(gated=True, is_member=False, is_editor=True)
    'full'
    """
    if not gated or is_member or is_editor:
        return FULL
    return TEASER


def subscriber_is_member(*, status: str, confirmed: bool) -> bool:
    """Whether a newsletter subscriber counts as a member (may sign in and
    read gated articles).

    ``status`` is ``Subscriber.status``; ``confirmed`` is True when the
    address was ever confirmed (``Subscriber.confirmed_at`` is set). A
    member is someone who proved the address through double opt-in; turning
    the newsletter off afterwards (``"unsubscribed"``) keeps membership, as
    Ghost does: the email list and the reading rights are two things.
    ``"pending"`` (never confirmed) and ``"cleaned"`` (hard bounce or spam
    complaint: the address cannot or must not receive a sign-in link) are
    not members.

    >>> subscriber_is_member(status="confirmed", confirmed=True)
    True
    >>> subscriber_is_member(status="unsubscribed", confirmed=True)
    True
    >>> subscriber_is_member(status="unsubscribed", confirmed=False)
    False
    >>> subscriber_is_member(status="pending", confirmed=False)
    False
    >>> subscriber_is_member(status="cleaned", confirmed=True)
    False
    """
    return confirmed and status in ("confirmed", "unsubscribed")
