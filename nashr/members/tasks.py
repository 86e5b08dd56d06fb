"""Background tasks (django-tasks): thin, load by id, call a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def signin_email_send_task(member_id: int, next_url: str = "") -> bool:
    """Send one sign-in email with a fresh link (the token is made here, so
    it is never stored in the task queue). Running it twice sends two
    emails with two valid links; the first one used spends both."""
    return services.member_signin_email_send(member_id=member_id, next_url=next_url)
