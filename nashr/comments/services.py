"""Writes: posting a comment through the guard, moderation decisions,
editors' replies and edits, and erasing client data after the retention
period. Views, the admin and tasks call these; nothing else writes
comments (the WordPress importer creates rows directly, by design)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import guard
from .models import Comment, CommentRejection
from .rendering import author_url_clean
from .selectors import article_comments_open

logger = logging.getLogger(__name__)

__all__ = [
    "CommentRejected", "CommentsClosed", "comment_ip_hash", "comment_submit", "comment_approve",
    "comment_hold", "comment_spam", "comment_trash", "comment_delete", "comment_edit", "comment_reply_as_editor",
    "comments_bulk", "comments_forget_clients", "comment_notify_confirm", "comment_notify_stop",
]

USER_AGENT_MAX = 255


class CommentRejected(Exception):
    """The guard refused the post; ``verdict.message`` is for the reader."""

    def __init__(self, verdict: guard.Verdict):
        super().__init__(verdict.reason)
        self.verdict = verdict


class CommentsClosed(Exception):
    """Comments on this article are closed (its switch, or its age)."""


def comment_ip_hash(*, ip: str) -> str:
    """HMAC-SHA256 of a client address keyed with ``SECRET_KEY``, as 64 hex
    characters; ``""`` for an unknown address. Enough to see that two
    comments came from one address, useless for finding the address (the
    key never leaves the server) — and erased after the retention."""
    if not ip:
        return ""
    key = ("nashr.comments.ip:" + settings.SECRET_KEY).encode()
    return hmac.new(key, ip.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _on_commit_enqueue(task, *args) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


@dataclass(frozen=True)
class _Parent:
    id: int | None
    depth: int


def _parent_for(*, article_id: int, parent_id: int | None) -> _Parent:
    """The comment a reply hangs from: an approved comment of the same
    article, climbing up while the reply would be deeper than
    ``NASHR_COMMENTS_MAX_DEPTH`` allows. Unknown parents give a top-level
    comment."""
    if not parent_id:
        return _Parent(None, -1)
    chain = {c.pk: c for c in Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED)
             .only("pk", "parent_id", "depth")}
    parent = chain.get(parent_id)
    max_depth = max(1, settings.NASHR_COMMENTS_MAX_DEPTH)
    while parent is not None and parent.depth + 1 >= max_depth:
        parent = chain.get(parent.parent_id)
    return _Parent(parent.pk, parent.depth) if parent is not None else _Parent(None, -1)


def comment_submit(*, article, author_name: str, author_email: str, body: str, author_url: str = "",
                   parent_id: int | None = None, notify_replies: bool = False, client_ip: str = "",
                   user_agent: str = "", form_token: str = "", honeypot: str = "",
                   now: float | None = None) -> Comment:
    """Store a reader's comment if the guard lets it through.

    Args:
        article: a live :class:`~nashr.articles.models.ArticlePage`.
        author_name, author_email, body: validated by the form (required,
            within their lengths); stored as typed (stripped).
        author_url: kept only when http(s) (:func:`.rendering.author_url_clean`).
        parent_id: the comment replied to; see :func:`_parent_for`.
        client_ip: the rate-limit bucket; only its HMAC is stored.
        form_token: the signed render time from the form.
        now: Unix time, for tests.

    Returns:
        The saved comment: ``approved``, ``pending`` (held: its
        ``guard_reason`` says why) or ``spam``.

    Raises:
        CommentsClosed: comments on the article are closed.
        CommentRejected: the guard refused it (nothing stored but a
            :class:`~.models.CommentRejection` row with the reason).
    """
    if not article_comments_open(article=article):
        raise CommentsClosed()
    author_email = author_email.strip().lower()
    body = body.strip("\r\n")
    submission = guard.Submission(
        article_id=article.pk, author_name=author_name.strip(), author_email=author_email,
        author_url=author_url_clean(author_url), body=body, client_ip=client_ip,
        user_agent=user_agent[:USER_AGENT_MAX], honeypot=honeypot, parent_id=parent_id,
        rendered_at=guard.form_token_time(token=form_token, article_id=article.pk),
    )
    verdict = guard.comment_guard(submission=submission, now=now)
    ip_hash = comment_ip_hash(ip=client_ip)
    if verdict.action == guard.REJECT:
        CommentRejection.objects.create(article_id=article.pk, reason=verdict.reason, ip_hash=ip_hash)
        raise CommentRejected(verdict)
    status = {guard.APPROVE: Comment.Status.APPROVED, guard.HOLD: Comment.Status.PENDING,
              guard.SPAM: Comment.Status.SPAM}[verdict.action]
    parent = _parent_for(article_id=article.pk, parent_id=parent_id)
    try:
        with transaction.atomic():
            _duplicate_check(submission=submission)
            comment = Comment.objects.create(
                article_id=article.pk, parent_id=parent.id, depth=parent.depth + 1,
                author_name=submission.author_name, author_email=author_email, author_url=submission.author_url,
                body=body, status=status, guard_reason="" if status == Comment.Status.APPROVED else verdict.reason,
                ip_hash=ip_hash, user_agent=submission.user_agent, notify_replies=notify_replies,
            )
            _after_save(comment=comment, newly_approved=status == Comment.Status.APPROVED)
    except CommentRejected as exc:
        CommentRejection.objects.create(article_id=article.pk, reason=exc.verdict.reason, ip_hash=ip_hash)
        raise
    logger.info("comment %s on article %s stored as %s", comment.pk, article.pk, status)
    return comment


def _duplicate_check(*, submission: guard.Submission) -> None:
    """The guard's duplicate rule again, inside the transaction that
    stores the comment: a double click sends two identical posts at once,
    and both pass the guard's check before either is stored. On SQLite the
    transaction holds the write lock from its start (IMMEDIATE), on
    PostgreSQL the article row is locked, so the second post waits for the
    first and then sees it. Raises :class:`CommentRejected` ("duplicate")."""
    from nashr.articles.models import ArticlePage

    list(ArticlePage.objects.select_for_update().filter(pk=submission.article_id).values_list("pk"))
    if Comment.objects.filter(
        article_id=submission.article_id, author_email__iexact=submission.author_email, body=submission.body,
    ).exclude(status=Comment.Status.TRASH).exists():
        logger.info("comment on article %s: reject (duplicate, posted twice at once)", submission.article_id)
        raise CommentRejected(guard.Verdict(guard.REJECT, "duplicate", guard.MSG_DUPLICATE))


def _after_save(*, comment: Comment, newly_approved: bool) -> None:
    """Emails that follow a new or newly approved comment, sent after commit
    by background tasks: editors about a pending one, the parent's author
    about an approved reply, the reader asking for reply notifications."""
    from . import tasks

    if comment.status == Comment.Status.PENDING and settings.NASHR_COMMENTS_NOTIFY_EDITORS:
        _on_commit_enqueue(tasks.comment_editors_notify_task, comment.pk)
    if comment.notify_replies and comment.notify_confirmed_at is None and comment.user_id is None \
            and comment.status != Comment.Status.SPAM:
        _on_commit_enqueue(tasks.comment_notify_request_task, comment.pk)
    if newly_approved and comment.parent_id:
        _on_commit_enqueue(tasks.comment_reply_notify_task, comment.pk)


def _set_status(*, comment: Comment, status: str) -> bool:
    if comment.status == status:
        return False
    was_approved_before = Comment.objects.filter(pk=comment.pk, status=Comment.Status.APPROVED).exists()
    comment.status = status
    comment.save(update_fields=["status"])
    if status == Comment.Status.APPROVED and not was_approved_before and comment.parent_id:
        from . import tasks

        _on_commit_enqueue(tasks.comment_reply_notify_task, comment.pk)
    return True


def comment_approve(*, comment: Comment) -> bool:
    """Publish a comment. Returns whether its status changed."""
    return _set_status(comment=comment, status=Comment.Status.APPROVED)


def comment_hold(*, comment: Comment) -> bool:
    """Put a comment back in the moderation queue (unpublish it, or take it
    out of spam or the trash). Returns whether its status changed."""
    return _set_status(comment=comment, status=Comment.Status.PENDING)


def comment_spam(*, comment: Comment) -> bool:
    """File a comment as spam (kept, never shown). Returns whether it changed."""
    return _set_status(comment=comment, status=Comment.Status.SPAM)


def comment_trash(*, comment: Comment) -> bool:
    """Move a comment to the trash (kept, never shown; its replies leave the
    page with it). Returns whether it changed."""
    return _set_status(comment=comment, status=Comment.Status.TRASH)


def comment_delete(*, comment: Comment) -> None:
    """Delete a comment for good, with its replies."""
    comment.delete()


BULK_ACTIONS = {
    "approve": comment_approve, "pending": comment_hold, "spam": comment_spam, "trash": comment_trash,
}


def comments_bulk(*, action: str, ids: list[int]) -> int:
    """Apply ``action`` (``approve``, ``pending``, ``spam``, ``trash`` or ``delete``) to
    the comments with these ids. Returns how many changed. Raises
    ``ValueError`` for an unknown action."""
    if action == "delete":
        selected = Comment.objects.filter(pk__in=ids)
        count = selected.count()
        selected.delete()  # replies go with their parent (CASCADE)
        return count
    func = BULK_ACTIONS.get(action)
    if func is None:
        raise ValueError(f"unknown action {action!r}")
    changed = 0
    with transaction.atomic():
        for comment in Comment.objects.filter(pk__in=ids):
            changed += bool(func(comment=comment))
    return changed


def comment_edit(*, comment: Comment, author_name: str, author_url: str, body: str) -> Comment:
    """An editor corrects a comment's name, website or text (the email and
    status are left alone). The website goes through
    :func:`.rendering.author_url_clean`."""
    comment.author_name = author_name.strip()
    comment.author_url = author_url_clean(author_url)
    comment.body = body.strip("\r\n")
    comment.save(update_fields=["author_name", "author_url", "body"])
    return comment


def comment_reply_as_editor(*, parent: Comment, user, body: str) -> Comment:
    """An editor's reply from the moderation queue, published at once, in
    the editor's name. Replying approves a pending parent (as WordPress
    does: the editor has read it). Depth is capped like readers' replies."""
    with transaction.atomic():
        if parent.status == Comment.Status.PENDING:
            comment_approve(comment=parent)
        where = _parent_for(article_id=parent.article_id, parent_id=parent.pk)
        name = (user.get_full_name() or user.get_username()).strip()[:100]
        reply = Comment.objects.create(
            article_id=parent.article_id, parent_id=where.id, depth=where.depth + 1,
            author_name=name, author_email=(user.email or "").lower(), body=body.strip("\r\n"),
            status=Comment.Status.APPROVED, user=user,
        )
        _after_save(comment=reply, newly_approved=True)
    return reply


def comments_forget_clients(*, now: datetime | None = None) -> int:
    """Erase ``ip_hash`` and ``user_agent`` of comments, and delete refused
    posts, older than ``NASHR_COMMENTS_IP_RETENTION_DAYS``. Returns the
    number of comments changed. Safe to run any number of times."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NASHR_COMMENTS_IP_RETENTION_DAYS)
    changed = (Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="", user_agent="")
               .update(ip_hash="", user_agent=""))
    CommentRejection.objects.filter(created_at__lt=cutoff).delete()
    return changed


def comment_notify_confirm(*, comment: Comment, now: datetime | None = None) -> bool:
    """Turn on reply notifications the reader asked for (from the emailed
    link). Returns whether anything changed."""
    if comment.notify_confirmed_at is not None and comment.notify_replies:
        return False
    comment.notify_replies = True
    comment.notify_confirmed_at = now or timezone.now()
    comment.save(update_fields=["notify_replies", "notify_confirmed_at"])
    return True


def comment_notify_stop(*, comment: Comment) -> int:
    """Stop reply notifications for every comment of this address on this
    article (the unsubscribe link). Returns how many comments changed."""
    return (Comment.objects.filter(article_id=comment.article_id, author_email=comment.author_email,
                                   notify_replies=True)
            .update(notify_replies=False, notify_confirmed_at=None))


#: The name an erased commenter's comments keep (as WordPress's personal
#: data eraser does with "Anonymous"): the text stays part of the thread.
ANONYMOUS_NAME = "قارئ"


def comments_author_forget(*, email: str) -> int:
    """Erase a commenter's personal data from their comments (account
    deletion, or a reader's erasure request): the address, name, website,
    IP hash, browser string and reply notifications of every comment posted
    with ``email`` (compared case-insensitively, and with an internationalised
    domain in either spelling). The comment text stays,
    signed ``ANONYMOUS_NAME``. Returns the number of comments changed; an
    empty ``email`` changes nothing."""
    from django.db.models import Q

    from nashr.newsletter.subscriptions import subscriber_email_key

    email = (email or "").strip()
    if not email:
        return 0
    # The same mailbox may be spelt with its domain in Unicode or in IDNA
    # ("xn--"): a browser's type=email field sends the latter. Match by the
    # newsletter's address key, among the few comments with this local part.
    key = subscriber_email_key(email=email)
    local = email.rpartition("@")[0]
    same = [pk for pk, address in Comment.objects.filter(author_email__istartswith=f"{local}@")
            .values_list("pk", "author_email") if subscriber_email_key(email=address) == key]
    return Comment.objects.filter(Q(author_email__iexact=email) | Q(pk__in=same)).update(
        author_email="", author_name=ANONYMOUS_NAME, author_url="", ip_hash="", user_agent="",
        notify_replies=False, notify_confirmed_at=None,
    )
