"""Background tasks (django-tasks): thin, load by id, call one function,
safe to run twice (each re-checks the comment's state first)."""

from __future__ import annotations

from django_tasks import task

from . import notifications, services


@task()
def comment_editors_notify_task(comment_id: int) -> int:
    """Email editors about a pending comment; 0 if it was moderated since."""
    return notifications.comment_editors_notify(comment_id=comment_id)


@task()
def comment_notify_request_task(comment_id: int) -> int:
    """Email a reader the link confirming reply notifications."""
    return notifications.comment_notify_request(comment_id=comment_id)


@task()
def comment_reply_notify_task(reply_id: int) -> int:
    """Email the parent's author about an approved reply (if they opted in)."""
    return notifications.comment_reply_notify(reply_id=reply_id)


@task()
def comments_forget_clients_task() -> int:
    """Erase client hashes older than the retention period."""
    return services.comments_forget_clients()
