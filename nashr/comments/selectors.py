"""Reads of comments for pages, cards, feeds and the moderation queue.
Each selector issues a fixed number of queries (stated in its docstring)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Comment

__all__ = [
    "article_comments_open", "article_comments_close_at", "comments_for_article", "comment_counts",
    "comments_pending_count", "comments_for_feed", "comments_queue", "comment_status_counts",
]


def article_comments_close_at(*, article) -> datetime | None:
    """When comments on ``article`` close by age: its publication date plus
    ``NASHR_COMMENTS_CLOSE_AFTER_DAYS`` (WordPress's "automatically close
    comments on posts older than N days"); ``None`` when the setting is 0 or
    the article has no publication date."""
    days = settings.NASHR_COMMENTS_CLOSE_AFTER_DAYS
    published = getattr(article, "date_published", None) or getattr(article, "first_published_at", None)
    if days <= 0 or published is None:
        return None
    return published + timedelta(days=days)


def article_comments_open(*, article, now: datetime | None = None) -> bool:
    """Whether readers may comment on ``article`` now: its own
    ``comments_open`` switch is on and the age limit
    (:func:`article_comments_close_at`) has not passed. No query."""
    if not getattr(article, "comments_open", False):
        return False
    close_at = article_comments_close_at(article=article)
    return close_at is None or (now or timezone.now()) < close_at


def comments_for_article(*, article_id: int, order: str | None = None) -> list[Comment]:
    """The approved comments of an article as a tree, in one query.

    Returns the top-level comments, ``NASHR_COMMENTS_ORDER`` (``"oldest"`` or
    ``"newest"`` first; ``order`` overrides it); each comment has a
    ``thread`` attribute: its approved replies, oldest first, each with its
    own ``thread``. Replies whose parent is not approved are left out with
    it (a trashed comment takes its thread off the page)."""
    from django.db import router

    from nashr.articles.selectors import objects_cached

    # read on every article page: the SQL, and how a row becomes a comment
    # (fields converted as the queryset would, the others deferred), are
    # worked out once per process (see objects_cached)
    alias = router.db_for_read(Comment)
    rows = objects_cached(
        Comment, ("comments_for_article", alias),
        lambda pk: Comment.objects.using(alias).filter(article_id=pk, status=Comment.Status.APPROVED)
        .only("pk", "parent_id", "depth", "author_name", "author_url", "body", "created_at", "user_id")
        .order_by("created_at", "pk"),
        int(article_id), alias=alias)
    by_id = {c.pk: c for c in rows}
    top: list[Comment] = []
    for comment in rows:
        comment.thread = []
    for comment in rows:
        if comment.parent_id is None:
            top.append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].thread.append(comment)
    if (order or settings.NASHR_COMMENTS_ORDER) == "newest":
        top.reverse()
    return top


def comment_counts(*, article_ids: Iterable[int]) -> dict[int, int]:
    """``{article id: number of comments its page shows}`` for the given
    articles, in ONE query (for article cards); articles without comments
    are absent. Counted as :func:`comments_for_article` shows them: approved,
    and not under a comment that is not (a trashed comment takes its
    approved replies off the page, so off the count too)."""
    ids = {int(i) for i in article_ids if i is not None}
    if not ids:
        return {}
    rows = list(Comment.objects.filter(article_id__in=ids, status=Comment.Status.APPROVED)
                .values_list("pk", "parent_id", "article_id"))
    article_of = {pk: article_id for pk, _, article_id in rows}
    parent_of = {pk: parent_id for pk, parent_id, _ in rows}
    counts: dict[int, int] = {}
    for pk, _, article_id in rows:
        if _reaches_top(pk, parent_of=parent_of, article_of=article_of):
            counts[article_id] = counts.get(article_id, 0) + 1
    return counts


def _reaches_top(pk: int, *, parent_of: dict, article_of: dict) -> bool:
    """Whether every ancestor of comment ``pk`` is in ``parent_of`` (the
    approved comments) and of the same article. Stops on a cycle."""
    seen = {pk}
    parent = parent_of[pk]
    while parent is not None:
        if parent not in parent_of or article_of.get(parent) != article_of.get(pk) or parent in seen:
            return False
        seen.add(parent)
        parent = parent_of[parent]
    return True


def comments_pending_count() -> int:
    """How many comments wait for moderation (one query)."""
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


def comment_status_counts() -> dict[str, int]:
    """``{status: count}`` for every status, for the queue's tabs (one query)."""
    counts = dict(Comment.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {value: counts.get(value, 0) for value in Comment.Status.values}


def comments_for_feed(*, article_id: int | None = None, limit: int = 30) -> list[Comment]:
    """The newest approved comments of one article (or of the whole site),
    with their live, public article, newest first: those the article page
    shows, so never a reply under a comment that was trashed, filed as
    spam or put back in the queue. One query per batch of ``limit``
    comments, plus one per level of replies whose parents must be checked."""
    from nashr.articles.models import ArticlePage

    live_ids = ArticlePage.objects.live().public().values("pk")
    qs = (Comment.objects.filter(status=Comment.Status.APPROVED, article_id__in=live_ids)
          .select_related("article").order_by("-created_at", "-pk"))
    if article_id is not None:
        qs = qs.filter(article_id=article_id)
    shown: list[Comment] = []
    start = 0
    while len(shown) < limit:
        batch = list(qs[start:start + limit])
        if not batch:
            break
        start += limit
        shown += _under_shown_parents(batch)
    return shown[:limit]


def _under_shown_parents(comments: list[Comment]) -> list[Comment]:
    """``comments`` without those that have an ancestor that is not
    approved or belongs to another article (the page leaves them out)."""
    known: dict[int, tuple[int | None, int, bool]] = {}  # pk -> (parent, article, approved)
    wanted = {c.parent_id for c in comments if c.parent_id}
    while wanted:
        for pk, parent_id, art, status in (Comment.objects.filter(pk__in=wanted)
                                           .values_list("pk", "parent_id", "article_id", "status")):
            known[pk] = (parent_id, art, status == Comment.Status.APPROVED)
        for pk in wanted - known.keys():
            known[pk] = (None, 0, False)  # gone
        wanted = {parent for parent, _, ok in known.values() if ok and parent and parent not in known}

    def ok(comment: Comment) -> bool:
        parent, seen = comment.parent_id, {comment.pk}
        while parent is not None:
            up, art, approved = known[parent]
            if not approved or art != comment.article_id or parent in seen:
                return False
            seen.add(parent)
            parent = up
        return True

    return [c for c in comments if ok(c)]


def comments_queue(*, status: str, search: str = "") -> QuerySet:
    """The moderation queue for one status, newest first, with articles
    joined; ``search`` matches the name, email, website or text."""
    qs = Comment.objects.filter(status=status).select_related("article", "parent").order_by("-created_at", "-pk")
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(author_name__icontains=search) | Q(author_email__icontains=search)
                       | Q(author_url__icontains=search) | Q(body__icontains=search))
    return qs
