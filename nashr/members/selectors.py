"""Reads for members and the gate: who is reading, and what they may see.

Every route that shows article text asks here (and so, through
:mod:`.access`, the one pure rule) instead of deciding on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from .access import FULL, article_is_gated, can_read, subscriber_is_member

__all__ = [
    "ArticleAccess", "article_gated", "article_access_for_request", "article_public_blocks",
    "member_for_request", "request_is_member", "request_is_editor", "member_for_subscriber",
    "request_signed_in",
    "GATED_PART_CLASS",
]

#: CSS class of the element holding the members-only part of an article
#: (JSON-LD ``hasPart.cssSelector``, Google's paywalled-content markup).
GATED_PART_CLASS = "article__gated"


@dataclass(frozen=True)
class ArticleAccess:
    """One reader's access to one article.

    ``gated``: the article needs membership (for anyone); ``level``:
    ``"full"`` or ``"teaser"`` for this reader; ``is_member``: the reader is
    a signed-in member; ``free_blocks``: how many body blocks a teaser shows
    (``NASHR_GATE_FREE_BLOCKS``)."""

    gated: bool
    level: str
    is_member: bool
    is_editor: bool
    free_blocks: int

    @property
    def full(self) -> bool:
        return self.level == FULL

    @property
    def teaser(self) -> bool:
        return not self.full


def article_gated(*, article, now: datetime | None = None) -> bool:
    """Whether ``article`` (anything with ``access`` and ``published``)
    needs membership now, by :func:`.access.article_is_gated` and the
    ``NASHR_ARCHIVE_GATE_DAYS`` setting. No query."""
    return article_is_gated(
        access=getattr(article, "access", "free"),
        published=getattr(article, "published", None),
        now=now or timezone.now(),
        archive_days=int(getattr(settings, "NASHR_ARCHIVE_GATE_DAYS", 0)),
    )


def member_for_subscriber(*, subscriber) -> bool:
    """Whether a :class:`~nashr.newsletter.models.Subscriber` counts as a
    member (:func:`.access.subscriber_is_member`). No query."""
    return subscriber_is_member(status=subscriber.status, confirmed=subscriber.confirmed_at is not None)


def request_signed_in(request) -> Any:
    """The signed-in user of ``request``, or None. A request without a
    session cookie is anonymous and its session is never touched: touching
    it would add ``Vary: Cookie`` to every page an anonymous reader gets,
    and anonymous pages must stay shareable by a cache."""
    if request is None or settings.SESSION_COOKIE_NAME not in getattr(request, "COOKIES", {}):
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def member_for_request(request) -> Any:
    """The signed-in reader's :class:`~nashr.members.models.Member` (with
    its subscriber), or None for anyone else — anonymous readers, editors,
    members whose subscription was cleaned. At most one query per request
    (the answer is kept on the request); none for a reader without a
    session cookie."""
    if request is None:
        return None
    if hasattr(request, "_nashr_member"):
        return request._nashr_member
    member = None
    user = request_signed_in(request)
    if user is not None and not user.is_staff and not user.is_superuser:
        from .models import Member

        member = Member.objects.select_related("subscriber").filter(user_id=user.pk).first()
        if member is not None and not member_for_subscriber(subscriber=member.subscriber):
            member = None
    request._nashr_member = member
    return member


def request_is_member(request) -> bool:
    return member_for_request(request) is not None


def request_is_editor(request) -> bool:
    """A signed-in user who may use the editors' admin (Wagtail's
    ``wagtailadmin.access_admin``); editors see what they publish in full."""
    user = request_signed_in(request)
    if user is None:
        return False
    return user.is_superuser or user.has_perm("wagtailadmin.access_admin")


def article_access_for_request(article, request, *, now: datetime | None = None) -> ArticleAccess:
    """What this reader may see of this article: :class:`ArticleAccess`.

    The rule is :func:`.access.can_read` (members and editors read gated
    articles in full; everyone else gets the teaser). A gated article's
    page differs by reader, so its request is marked for ``Vary: Cookie``
    (:class:`nashr.members.middleware.MemberCacheMiddleware`; members'
    pages also get ``Cache-Control: private``); a free article's page is
    the same for everyone and stays without it. Admin previews
    (``request.is_preview``) are for editors: full.
    """
    gated = article_gated(article=article, now=now)
    is_member = is_editor = False
    if gated:
        is_member = request_is_member(request)
        is_editor = not is_member and (
            bool(getattr(request, "is_preview", False)) or request_is_editor(request))
    level = can_read(gated=gated, is_member=is_member, is_editor=is_editor)
    if request is not None and gated:
        request._nashr_varies_on_reader = True
    return ArticleAccess(gated=gated, level=level, is_member=is_member, is_editor=is_editor,
                         free_blocks=max(0, int(settings.NASHR_GATE_FREE_BLOCKS)))


def article_public_blocks(*, article, now: datetime | None = None) -> tuple[list, bool]:
    """The body blocks anyone may see, for places with no reader (the
    newsletter email, which can be forwarded): all of them for a free
    article; the first ``NASHR_GATE_FREE_BLOCKS`` for a gated one.

    Returns ``(blocks, cut)``: a list of StreamField children and whether
    blocks were left out."""
    blocks = list(article.body)
    if not article_gated(article=article, now=now):
        return blocks, False
    free = max(0, int(settings.NASHR_GATE_FREE_BLOCKS))
    return blocks[:free], len(blocks) > free
