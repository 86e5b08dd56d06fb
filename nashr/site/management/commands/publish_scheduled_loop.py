"""The scheduler: every ``--interval`` seconds, publish pages whose time has
come (Wagtail's ``publish_scheduled``), start newsletter issues scheduled for
now, and expire unconfirmed sign-ups; once an hour, erase commenters' IP
hashes older than ``NASHR_COMMENTS_IP_RETENTION_DAYS``. Stops on
SIGTERM/SIGINT."""

import logging
import signal
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)


def _start_due_issues() -> None:
    from nashr.newsletter.sending import issues_start_due
    from nashr.newsletter.tasks import issue_send_task

    for issue_id in issues_start_due():
        issue_send_task.enqueue(issue_id)


def _expire_unconfirmed() -> None:
    try:
        from nashr.newsletter.subscriptions import subscribers_expire_unconfirmed
    except ImportError:  # pragma: no cover - the subscription flow is optional
        return
    subscribers_expire_unconfirmed()


_HOURLY_LAST_RUN: dict[str, float] = {}


def _hourly(name: str, job):
    """``job`` at most once an hour per process (the first loop runs it)."""

    def run() -> None:
        now = time.monotonic()
        if now - _HOURLY_LAST_RUN.get(name, -3600.0) >= 3600.0:
            _HOURLY_LAST_RUN[name] = now
            job()

    return run


def _forget_comment_clients() -> None:
    from nashr.comments.services import comments_forget_clients

    comments_forget_clients()


JOBS = [
    ("scheduled publishing", lambda: call_command("publish_scheduled", verbosity=0)),
    ("scheduled newsletter issues", _start_due_issues),
    ("unconfirmed sign-ups", _expire_unconfirmed),
    ("commenters' IP retention", _hourly("comment-clients", _forget_comment_clients)),
]


def run_jobs_once() -> None:
    """Run every job once; one job failing does not stop the others."""
    for name, job in JOBS:
        try:
            job()
        except Exception:
            logger.exception("periodic job failed: %s", name)


class Command(BaseCommand):
    help = "Run scheduled publishing and other periodic jobs in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between runs")

    def handle(self, *args, interval, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *a: stop.set())
        while not stop.is_set():
            run_jobs_once()
            stop.wait(interval)
