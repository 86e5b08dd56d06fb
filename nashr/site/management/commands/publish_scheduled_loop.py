"""The scheduler: every ``--interval`` seconds, publish pages whose time has
come (Wagtail's ``publish_scheduled``), start newsletter issues scheduled for
now, and expire unconfirmed sign-ups. Stops on SIGTERM/SIGINT."""

import logging
import signal
import threading

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


JOBS = [
    ("scheduled publishing", lambda: call_command("publish_scheduled", verbosity=0)),
    ("scheduled newsletter issues", _start_due_issues),
    ("unconfirmed sign-ups", _expire_unconfirmed),
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
