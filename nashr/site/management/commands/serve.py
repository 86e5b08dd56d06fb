"""``nashr serve``: migrate, create the demo site on an empty database, then
run the HTTP server (gunicorn), the background task worker and the
scheduled-publishing loop until Ctrl-C, which stops all three cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT_S = 15


class Command(BaseCommand):
    help = "Serve Nashr: HTTP server, task worker and scheduled publishing."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("NASHR_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("NASHR_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("NASHR_WEB_WORKERS", "2")),
            help="gunicorn worker processes (default 2)",
        )
        parser.add_argument(
            "--task-workers", type=int, default=int(os.environ.get("NASHR_TASK_WORKERS", "1")),
            help="background task worker processes (newsletter sending runs there; default 1)",
        )
        parser.add_argument("--no-demo", action="store_true", help="never create the demo site")
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, host, port, workers, task_workers, no_demo, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("قاعدة البيانات جاهزة (migrations applied).")
        if not no_demo:
            from nashr.site.demo.loader import demo_create_if_empty

            created = demo_create_if_empty(stdout=self.stdout)
            if not created:
                self.stdout.write("Database already has content; demo not created.")
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="nashr.site.settings",
                   NASHR_DATA_DIR=str(settings.DATA_DIR))
        commands = {
            "web": [
                sys.executable, "-m", "gunicorn", "nashr.site.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(workers),
                "--access-logfile", "-", "--graceful-timeout", "10",
                # several Nashr sites on one machine must not share gunicorn's
                # default control socket (~/.gunicorn/gunicorn.ctl)
                "--no-control-socket",
                "--forwarded-allow-ips", os.environ.get("NASHR_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            ],
            "scheduler": [sys.executable, "-m", "nashr", "publish_scheduled_loop"],
        }
        if not no_worker:
            for n in range(max(1, task_workers)):
                commands[f"worker-{n + 1}"] = [sys.executable, "-m", "nashr", "db_worker", "--interval", "1"]
        procs = supervise_start(commands, env=env)
        self.stdout.write(self.style.SUCCESS(
            f"Nashr يعمل على http://{host}:{port}/ — لوحة التحرير: http://{host}:{port}/admin/ "
            "(Ctrl-C to stop)"
        ))
        code = supervise_wait(procs, stdout=self.stdout)
        if code:
            raise CommandError(f"a Nashr process exited with status {code}")


def supervise_start(commands: dict[str, list[str]], *, env: dict[str, str]) -> dict[str, subprocess.Popen]:
    """Start each command in its own session, so a terminal's Ctrl-C reaches
    only this supervisor, which then stops the children in order. On Linux
    each child also gets SIGTERM if the supervisor dies without stopping
    them (``kill -9``, an out-of-memory kill): nothing is left holding the
    port or the database."""
    stop_with_parent = _stop_with_parent(os.getpid())
    return {
        name: subprocess.Popen(argv, env=env, start_new_session=True, preexec_fn=stop_with_parent)
        for name, argv in commands.items()
    }


def _stop_with_parent(parent_pid: int):
    """A ``preexec_fn`` asking Linux to send the child SIGTERM when its
    parent dies (``prctl(PR_SET_PDEATHSIG, SIGTERM)``, prctl(2)); if the
    parent is already gone by then, the child stops at once. ``None``
    where there is no such call (not Linux, no libc found)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def supervise_wait(procs: dict[str, subprocess.Popen], *, stdout) -> int:
    """Block until SIGINT/SIGTERM/SIGHUP (Ctrl-C, ``kill``, the terminal
    closing; SIGHUP not when it is ignored, as under ``nohup``) or until a
    child exits; then send SIGTERM to
    every child still running, wait up to ``STOP_TIMEOUT_S`` seconds, and
    SIGKILL what remains. Returns 0 on a requested stop, else the exit code
    of the child that died first."""
    stopping = {"flag": False}

    def request_stop(signum, frame):
        stopping["flag"] = True

    wanted = [signal.SIGINT, signal.SIGTERM]
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # under nohup it stays ignored
        wanted.append(signal.SIGHUP)
    old = {s: signal.signal(s, request_stop) for s in wanted}
    failed = 0
    try:
        while not stopping["flag"]:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    stdout.write(f"process '{name}' exited with status {code}; stopping the others")
                    failed = code or 1
                    stopping["flag"] = True
                    break
            time.sleep(0.2)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for proc in procs.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for s, handler in old.items():
            signal.signal(s, handler)
        try:
            stdout.write("Nashr stopped.")
        except OSError:  # the terminal is gone (SIGHUP): nothing to say it on
            pass
    return failed
