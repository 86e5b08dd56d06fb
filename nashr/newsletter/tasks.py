"""Background tasks (django-tasks): thin, load by id, call a service, safe to
run twice."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task

from . import sending, subscriptions
from .models import Issue


@task()
def confirmation_send_task(subscriber_id: int, respect_interval: bool = True) -> bool:
    """The double opt-in email for one pending subscriber (see
    :func:`subscriptions.subscriber_confirmation_send`: does nothing if the
    subscriber is no longer pending or was sent one recently, so running it
    twice sends one email)."""
    return subscriptions.subscriber_confirmation_send(
        subscriber_id=subscriber_id, respect_interval=respect_interval)


@task()
def welcome_send_task(subscriber_id: int) -> bool:
    """The welcome email after a confirmation. Queued once per pending →
    confirmed transition (one conditional UPDATE wins), so it is sent once
    unless the task itself is re-run by an operator."""
    return subscriptions.subscriber_welcome_send(subscriber_id=subscriber_id)


@task()
def issue_start_task(issue_id: int) -> int:
    """Queue an issue's deliveries and start ``NASHR_NEWSLETTER_SENDERS``
    parallel send tasks. Returns the number of deliveries."""
    issue = Issue.objects.get(pk=issue_id)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED, Issue.Status.SENDING):
        return 0
    total = sending.issue_queue(issue=issue)
    for _ in range(max(1, settings.NASHR_NEWSLETTER_SENDERS)):
        issue_send_task.enqueue(issue_id)
    return total


@task()
def issue_send_task(issue_id: int) -> dict:
    """Send what is due; if deliveries wait for a retry, run again then."""
    stats = sending.issue_send(issue_id=issue_id)
    issue = Issue.objects.get(pk=issue_id)
    if issue.status == Issue.Status.SENDING:
        next_at = sending.issue_next_attempt_at(issue=issue)
        if next_at is not None:
            issue_send_task.using(run_after=next_at).enqueue(issue_id)
    return {"sent": stats.sent, "failed": stats.failed, "retried": stats.retried, "skipped": stats.skipped}


def issue_start_on_commit(issue_id: int) -> None:
    transaction.on_commit(lambda: issue_start_task.enqueue(issue_id))
