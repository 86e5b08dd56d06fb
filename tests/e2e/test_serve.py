"""`nashr serve` as an operator runs it: a fresh data directory, the demo
created, real HTTP from gunicorn, the task worker and scheduler running, and
Ctrl-C (SIGINT) stopping every process it started."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from nashr.newsletter.testing import free_port


def children_of(pid: int) -> set[int]:
    """All descendant pids of ``pid`` (from /proc)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent and int(entry.name) not in found:
                found.add(int(entry.name))
                frontier.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nashr serve exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError("server did not answer in time")


@pytest.mark.slow
def test_nashr_serve_demo_then_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = dict(os.environ, NASHR_DATA_DIR=str(tmp_path / "data"),
               NASHR_SITE_URL=f"http://127.0.0.1:{port}")
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nashr", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            home = r.read().decode()
        assert 'dir="rtl"' in home and "نشرة الصباح" in home
        # an article through its short link
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/feed/", timeout=10) as r:
            feed = r.read().decode()
        assert "<item>" in feed
        data = tmp_path / "data"
        assert (data / "nashr.sqlite3").exists() and (data / "secret_key").exists()
        assert (data / "nashr.sqlite3-wal").exists(), "SQLite is not in WAL mode"
        kids = children_of(proc.pid)
        assert len(kids) >= 3, "expected gunicorn, the task worker and the scheduler"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=40) == 0
        time.sleep(0.5)
        assert not [k for k in kids if alive(k)], "processes left running after Ctrl-C"
        log.seek(0)
        output = log.read()
        assert "password:" in output, "demo editor password not printed"
        assert "Traceback" not in output, output[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in children_of(proc.pid):
            os.kill(pid, signal.SIGKILL)


@contextmanager
def serving(tmp_path, **popen):
    """``nashr serve --no-demo`` on a free port with its own data directory,
    answering; yields ``(process, base URL, its child pids)``; afterwards
    kills whatever of it is still running."""
    port = free_port()
    env = dict(os.environ, NASHR_DATA_DIR=str(tmp_path / "data"),
               NASHR_SITE_URL=f"http://127.0.0.1:{port}")
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nashr", "serve", "--port", str(port), "--workers", "1", "--no-demo"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen,
    )
    kids: set[int] = set()
    try:
        wait_for_http(f"http://127.0.0.1:{port}/robots.txt", proc)
        kids = children_of(proc.pid)
        assert len(kids) >= 3, "expected gunicorn, the task worker and the scheduler"
        yield proc, f"http://127.0.0.1:{port}", kids
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in kids | children_of(proc.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_nashr_serve_leaves_nothing_running_when_its_terminal_closes_or_it_is_killed(tmp_path):
    """SIGHUP (the terminal or SSH session closes) stops everything as
    Ctrl-C does; after ``kill -9`` of the supervisor, its children stop by
    themselves (they would otherwise keep the port and the database)."""
    for how in (signal.SIGHUP, signal.SIGKILL):
        with serving(tmp_path) as (proc, _, kids):
            proc.send_signal(how)
            assert proc.wait(timeout=40) == (0 if how == signal.SIGHUP else -signal.SIGKILL)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and [k for k in kids if alive(k)]:
                time.sleep(0.2)
            assert not [k for k in kids if alive(k)], f"processes left running after {how.name}"


@pytest.mark.slow
def test_nashr_serve_under_nohup_keeps_running_when_the_terminal_closes(tmp_path):
    """Started with SIGHUP ignored (``nohup nashr serve &``), a hangup does
    not stop the site; Ctrl-C still does."""
    with serving(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) as (proc, url, kids):
        proc.send_signal(signal.SIGHUP)
        time.sleep(2)
        assert proc.poll() is None and all(alive(k) for k in kids)
        with urllib.request.urlopen(f"{url}/robots.txt", timeout=10) as r:
            assert r.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=40) == 0
        time.sleep(0.5)
        assert not [k for k in kids if alive(k)]
