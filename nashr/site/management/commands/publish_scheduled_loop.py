"""Publish pages whose scheduled time has come, every ``--interval`` seconds
(Wagtail's ``publish_scheduled`` command in a loop); stops on SIGTERM/SIGINT."""

import signal
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Wagtail's scheduled publishing in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between runs")

    def handle(self, *args, interval, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *a: stop.set())
        while not stop.is_set():
            try:
                call_command("publish_scheduled", verbosity=0)
            except Exception:  # keep the loop alive; the error is logged
                import logging

                logging.getLogger(__name__).exception("scheduled publishing failed")
            stop.wait(interval)
