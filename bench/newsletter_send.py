#!/usr/bin/env python3
"""Newsletter sending, end to end: from "publish" to the last message
accepted by a local SMTP sink, beside a bare smtplib loop measured in the
same run, and the peak memory of one worker sending to many subscribers.

    python bench/newsletter_send.py [--subscribers 10000] [--workers 1 2]
                                    [--memory-subscribers 100000]

Run it from the repository root with the project's virtualenv active. What
it does (every process it starts is stopped and the temporary directory
removed at the end, also on Ctrl-C or SIGTERM):

1. **Seeding.** A fresh ``NASHR_DATA_DIR`` (SQLite) in a temporary
   directory, ``python -m nashr migrate``, then in a subprocess with
   ``django.setup()``: ``build_site(articles_per_section=1)`` from
   ``nashr.articles.tests.factories`` (two live articles with lead images,
   authors, tags), a *draft* article beside them (a copy of the first one's
   fields, ``send_to_subscribers`` off) and ``--subscribers`` confirmed
   subscribers (``bulk_create``, ``email_key`` set, Arabic names). The
   background tasks the seeding queued (search and reference index) are run
   by ``python -m nashr db_worker --batch``. Every timed Nashr run starts
   from its own copy of this directory.
2. **The message.** One real issue message for that draft article:
   ``issue_create_for_article`` + ``issue_render_once`` + ``issue_prepare``
   + ``PreparedIssue.build`` for the first subscriber (with their real
   unsubscribe and manage links), in a transaction that is rolled back.
3. **Baseline.** ``bench/smtp_sink.py`` (aiosmtpd) in its own process; a
   separate Python process sends that message ``--subscribers`` times with
   ``smtplib.SMTP.sendmail`` over one connection, one recipient each.
   Messages/s = messages / (sink's last acceptance − start of the loop).
4. **Nashr, K workers** (each ``--workers`` value): a fresh sink, K
   ``python -m nashr db_worker --interval 1 --no-startup-delay`` processes
   (the interval ``nashr serve`` uses) with ``NASHR_NEWSLETTER_SENDERS=K``
   and the SMTP provider pointed at the sink; once they poll the database,
   a subprocess sets ``send_to_subscribers`` on the draft and calls
   ``save_revision().publish()`` — Nashr's signal creates the issue and
   enqueues ``issue_start_task`` on commit; that task queues one delivery
   per subscriber and enqueues K ``issue_send_task``. Timed from just
   before ``save_revision()`` to the sink's acceptance of the N-th message.
   Afterwards it checks that every subscriber got exactly one message (the
   sink counts per envelope recipient), that every delivery is ``sent``,
   the issue ``sent`` and no task failed.
5. **Memory.** The same with one worker and ``--memory-subscribers``
   (another seeded directory): the worker's ``VmRSS``, ``RssAnon`` and
   ``RssFile`` are polled every 0.05 s (and, once a second, the resident
   part of the memory-mapped SQLite file from ``/proc/<pid>/smaps``), and
   its ``VmHWM`` (peak resident set) is read from ``/proc/<pid>/status``
   before it is stopped. When the single-worker rate of step 4 says the run
   would take longer than ``--memory-max-seconds``, fewer subscribers are
   used and the result says so. Not repeated when the machine was busy
   (memory does not depend on it); the table says so.
6. **Profile** (for each ``--profile-workers`` count, default 1 and 2):
   the timed run of step 4 once more with each worker under cProfile,
   its main thread and its SMTP connection threads (``_profiled_worker``
   below; stopped by SIGTERM once the issue is sent, after which the
   worker returns and the statistics are written); per-message costs of the pipeline's parts
   and the top functions go in the JSON. When ``perf`` is installed, each
   worker's system calls are counted too (``perf stat`` on syscall
   tracepoints): ``clock_nanosleep`` is SQLite's busy handler waiting for
   another worker's write lock, ``pwrite64``/``fcntl`` the cost of each
   committed write.

The bare loop runs twice, before and after the Nashr runs (the speed of
this shared virtual machine drifts); the faster of the two is the
reference for the ratios and the goals.

The machine is shared: before each timed run the script waits (up to
``--quiet-wait`` s) for processes it did not start to go quiet, measures
the CPU every process used during the run, and repeats a run (up to
``--retries`` times) during which other processes used more than 0.3 of a
core, keeping the quietest.

Results: ``bench/results/newsletter_send-<date>.json`` and this script's
section of ``bench/README.md`` (between its own markers; the rest of the
file is left alone). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
SINK = BENCH_DIR / "smtp_sink.py"
README_START = "<!-- newsletter-send:start -->"
README_END = "<!-- newsletter-send:end -->"

SITE_URL = "https://news.example.com"
FROM_EMAIL = "newsletter@news.example.com"
#: The issue's goals (issue 3, "Speed and memory").
GOAL_ONE_WORKER = 0.50   # one worker >= 50% of the bare smtplib loop
GOAL_SEVERAL = 1.00      # several workers > the bare loop
GOAL_PEAK_MB = 300       # peak RSS of a worker sending to 100,000 subscribers
#: a run during which processes not started here used more CPU (cores) is repeated
OTHERS_MAX = 0.3
CLK_TCK = os.sysconf("SC_CLK_TCK")


def subscriber_email(i: int) -> str:
    return f"reader{i}@example.org"


# --------------------------------------------------------------------------
# Processes: everything started is remembered and stopped in ``finally``.


def proc_start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def descendants(pid: int) -> list[tuple[int, str]]:
    """``(pid, start time)`` of every descendant of ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            started = proc_start_time(child)
            if started is not None:
                found.append((child, started))
                todo.append(child)
    return found


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Procs:
    """Processes this run started, each stopped by its own pid (and its
    descendants, checked by start time, if it does not stop in time)."""

    def __init__(self) -> None:
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], *, env: dict, log: Path,
              stdin=subprocess.DEVNULL, stdout=None) -> subprocess.Popen:
        fh = open(log, "ab")
        proc = subprocess.Popen(argv, env=env, cwd=REPO_DIR, stdin=stdin,
                                stdout=stdout if stdout is not None else fh,
                                stderr=fh if stdout is not None else subprocess.STDOUT,
                                start_new_session=True)
        fh.close()
        proc.log = log  # type: ignore[attr-defined]
        self.running[name] = proc
        return proc

    def stop(self, name: str, *, timeout: float = 20.0) -> int | None:
        proc = self.running.pop(name, None)
        if proc is None:
            return None
        family = descendants(proc.pid)
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pid, started in family:
            if proc_start_time(pid) == started:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        return proc.returncode

    def stop_all(self) -> None:
        for name in list(self.running)[::-1]:
            self.stop(name)

    def run(self, name: str, argv: list[str], *, env: dict, log: Path, timeout: float) -> None:
        proc = self.start(name, argv, env=env, log=log)
        try:
            code = proc.wait(timeout=timeout)
        finally:
            self.stop(name)
        if code != 0:
            raise RuntimeError(f"{name} failed with status {code}:\n{tail(log)}")


# --------------------------------------------------------------------------
# CPU and memory from /proc


def proc_jiffies(pid: int) -> int:
    """utime + stime of one process (clock ticks); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    total = sum(parts[:8])      # without guest (already in user)
    return total - idle, total


def status_kb(pid: int, key: str) -> int | None:
    return status_all_kb(pid).get(key)


def status_all_kb(pid: int) -> dict[str, int]:
    """The ``... kB`` lines of /proc/<pid>/status (VmRSS, VmHWM, RssAnon,
    RssFile...), in KiB; empty when the process is gone."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if value.endswith(" kB"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


class CpuWindow:
    """CPU used by named processes, by everything this script started and
    by the whole machine between :meth:`start` and :meth:`stop`."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids

    def _snap(self) -> dict:
        mine = [os.getpid()] + [p for p, _ in descendants(os.getpid())]
        return {"t": time.monotonic(), "machine": machine_jiffies(),
                "mine": {p: proc_jiffies(p) for p in mine},
                "named": {name: {p: proc_jiffies(p) for p in pids} for name, pids in self.pids.items()}}

    def start(self) -> None:
        self.a = self._snap()

    def stop(self, extra_mine_s: float = 0.0) -> dict:
        """Cores busy on average. ``extra_mine_s``: CPU seconds of processes
        of ours that exited during the window (they are gone from /proc)."""
        b = self._snap()
        secs = b["t"] - self.a["t"]
        ncpu = os.cpu_count() or 1
        busy_ticks = b["machine"][0] - self.a["machine"][0]
        all_ticks = b["machine"][1] - self.a["machine"][1]
        busy = ncpu * busy_ticks / all_ticks if all_ticks else 0.0

        def delta(before: dict[int, int], after: dict[int, int]) -> float:
            ticks = sum(after.get(p, 0) - before.get(p, 0) for p in after if p in before)
            # processes started during the window count from zero
            ticks += sum(after[p] for p in after if p not in before)
            return ticks / CLK_TCK

        mine = delta(self.a["mine"], b["mine"]) + extra_mine_s
        out = {"seconds": round(secs, 3), "ncpu": ncpu, "busy": round(busy, 2),
               "others": round(max(0.0, busy - mine / secs), 2) if secs else 0.0}
        for name in self.pids:
            out[name] = round(delta(self.a["named"][name], b["named"][name]) / secs, 2) if secs else 0.0
        return out


PERF_SYSCALLS = ("clock_nanosleep", "pwrite64", "fcntl", "fdatasync", "sendto", "recvfrom")


def read_perf(path: Path) -> dict[str, int]:
    """Counts from ``perf stat -x ,`` output: {"clock_nanosleep": n, ...}."""
    counts = {}
    try:
        for line in path.read_text().splitlines():
            parts = line.split(",")
            if len(parts) > 2 and "sys_enter_" in parts[2] and parts[0].strip().isdigit():
                counts[parts[2].split("sys_enter_", 1)[1]] = int(parts[0])
    except OSError:
        pass
    return counts


def mapped_rss_kb(pid: int, name: str) -> int:
    """Resident KiB of the mappings of a file called ``name`` in process
    ``pid`` (from /proc/<pid>/smaps): SQLite's memory-mapped database."""
    total, inside = 0, False
    try:
        with open(f"/proc/{pid}/smaps") as fh:
            for line in fh:
                first = line.split(None, 1)[0]
                if "-" in first and not first.endswith(":"):  # a mapping's header line
                    inside = line.rstrip().endswith("/" + name)
                elif inside and first == "Rss:":
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def has_open(pid: int, name: str) -> bool:
    """Whether process ``pid`` has a file called ``name`` open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.path.basename(os.readlink(f"/proc/{pid}/fd/{fd}")) == name:
                return True
        except OSError:
            continue
    return False


def wait_quiet(max_wait: float, *, threshold: float = 0.15) -> float:
    """Wait (up to ``max_wait`` s) until processes not started by this
    script use less than ``threshold`` of a core over 2 s. Returns the last
    measured use of those processes, in cores."""
    deadline = time.monotonic() + max_wait
    announced = False
    while True:
        window = CpuWindow({})
        window.start()
        time.sleep(2)
        others = window.stop()["others"]
        if others < threshold or time.monotonic() > deadline:
            if others >= threshold:
                print(f"    machine still busy ({others:.2f} cores used by other processes); "
                      "measuring anyway", flush=True)
            return others
        if not announced:
            print(f"    other processes use {others:.2f} cores; waiting up to {max_wait:.0f} s "
                  "for a quiet machine", flush=True)
            announced = True


# --------------------------------------------------------------------------
# Inside Django: subcommands run as ``newsletter_send.py _seed`` etc. in a
# separate process, with NASHR_DATA_DIR set by the parent.


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashr.site.settings")
    import django

    django.setup()


def seed_main(argv: list[str]) -> None:
    """build_site, a draft article to publish, N confirmed subscribers, and
    (with ``--message``) the bytes of one real issue message."""
    p = argparse.ArgumentParser()
    p.add_argument("--subscribers", type=int, required=True)
    p.add_argument("--message")
    p.add_argument("--out", required=True)
    opts = p.parse_args(argv)
    django_setup()
    from django.db import transaction
    from django.utils import timezone

    from nashr.articles.models import ArticleAuthor, ArticlePage
    from nashr.articles.tests.factories import build_site
    from nashr.newsletter.models import Subscriber

    t0 = time.perf_counter()
    site = build_site(articles_per_section=1)
    model = site["articles"][0]
    section = model.get_parent().specific
    draft = ArticlePage(
        title="نشرة المساء: الرئيسُ يفتتح السوقَ القديمة بعد ترميمها",
        standfirst=model.standfirst, lead_image_id=model.lead_image_id,
        body=json.loads(json.dumps(list(model.body.raw_data))), live=False,
    )
    draft.authors = [ArticleAuthor(author_id=a.author_id, sort_order=a.sort_order)
                     for a in model.authors.all()]
    draft.tags.add(*model.tags.names())
    section.add_child(instance=draft)
    draft.save_revision()
    t_site = time.perf_counter() - t0

    t1 = time.perf_counter()
    now = timezone.now()
    batch = []
    for i in range(opts.subscribers):
        email = subscriber_email(i)
        batch.append(Subscriber(email=email, email_key=email, name=f"قارئ رقم {i}",
                                status=Subscriber.Status.CONFIRMED, source="bench",
                                confirmed_at=now))
        if len(batch) == 5000:
            Subscriber.objects.bulk_create(batch)
            batch = []
    if batch:
        Subscriber.objects.bulk_create(batch)
    t_subs = time.perf_counter() - t1

    from nashr.newsletter.sending import connections_per_sender, sending_groups, unknown_max

    out = {"draft_id": draft.pk, "draft_title": draft.title, "site_s": t_site, "subscribers_s": t_subs,
           "subscribers": Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count(),
           # the sending settings of the runs (the workers get the same environment)
           "connections": connections_per_sender(), "unknown_max": unknown_max()}
    out["group_size"], out["groups_in_flight"] = sending_groups(connections=out["connections"],
                                                                limit=out["unknown_max"])
    if opts.message:
        from nashr.newsletter.message import issue_prepare
        from nashr.newsletter.sending import issue_create_for_article, issue_render_once
        from nashr.newsletter.tokens import manage_url_for, unsubscribe_url_for

        first = Subscriber.objects.get(email_key=subscriber_email(0))
        with transaction.atomic():
            issue, _ = issue_create_for_article(article=ArticlePage.objects.get(pk=draft.pk))
            issue_render_once(issue=issue)
            prepared = issue_prepare(issue=issue)
            built = prepared.build(to_email=first.email, to_name=first.name,
                                   unsubscribe_url=unsubscribe_url_for(first),
                                   manage_url=manage_url_for(first))
            out.update(html_template_bytes=len(issue.html_template.encode()),
                       text_template_bytes=len(issue.text_template.encode()))
            transaction.set_rollback(True)
        Path(opts.message).write_bytes(built.data)
        out["message_bytes"] = len(built.data)
    Path(opts.out).write_text(json.dumps(out, ensure_ascii=False))


def publish_main(argv: list[str]) -> None:
    """Set up Django, say ``ready``, wait for a line on stdin, then tick
    "send to subscribers" on the draft and publish it; print timings."""
    p = argparse.ArgumentParser()
    p.add_argument("--article", type=int, required=True)
    opts = p.parse_args(argv)
    django_setup()
    from nashr.articles.models import ArticlePage
    from nashr.newsletter.models import Issue

    article = ArticlePage.objects.get(pk=opts.article)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("not told to go")
    cpu0 = sum(os.times()[:2])
    t0_wall, t0 = time.time(), time.monotonic()
    article.send_to_subscribers = True
    article.save_revision().publish()
    t1 = time.monotonic()
    issue = Issue.objects.get(article_id=article.pk)
    print(json.dumps({"t0": t0, "t0_wall": t0_wall, "published_at": t1, "issue_id": issue.pk,
                      "cpu_s": sum(os.times()[:2]) - cpu0}), flush=True)


def profiled_worker_main(argv: list[str]) -> None:
    """``_profiled_worker OUT.prof -- <nashr command...>``: run a Nashr
    command under cProfile with the newsletter's SMTP connection threads
    profiled too (``python -m cProfile`` sees only the main thread), and
    write the merged statistics to OUT.prof when the command returns (the
    db_worker returns on SIGTERM)."""
    import cProfile
    import pstats

    out, rest = argv[0], argv[argv.index("--") + 1:]
    django_setup()
    from nashr.newsletter import providers

    thread_profiles: list[cProfile.Profile] = []
    original = providers.ProviderPool._run

    def run(self, provider):
        prof = cProfile.Profile()
        thread_profiles.append(prof)
        prof.enable()
        try:
            original(self, provider)
        finally:
            prof.disable()

    providers.ProviderPool._run = run
    from nashr.site.cli import main as nashr_main

    main_profile = cProfile.Profile()
    main_profile.enable()
    try:
        nashr_main(["nashr", *rest])
    finally:
        main_profile.disable()
        stats = pstats.Stats(main_profile)
        for prof in thread_profiles:
            stats.add(prof)
        stats.dump_stats(out)


def baseline_main(argv: list[str]) -> None:
    """The bare loop: one connection, ``sendmail`` the same bytes N times."""
    import smtplib

    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--message", required=True)
    p.add_argument("--count", type=int, required=True)
    opts = p.parse_args(argv)
    data = Path(opts.message).read_bytes()
    smtp = smtplib.SMTP("127.0.0.1", opts.port, timeout=30)
    smtp.ehlo()
    cpu0 = sum(os.times()[:2])
    t0 = time.monotonic()
    for i in range(opts.count):
        smtp.sendmail(FROM_EMAIL, [subscriber_email(i)], data)
    t1 = time.monotonic()
    cpu = sum(os.times()[:2]) - cpu0
    smtp.quit()
    print(json.dumps({"t0": t0, "t1": t1, "cpu_s": cpu}), flush=True)


# --------------------------------------------------------------------------
# The parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NASHR_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "nashr.site.settings",
        "NASHR_DATA_DIR": str(data_dir),
        "NASHR_SITE_URL": SITE_URL,
        "NASHR_FROM_EMAIL": FROM_EMAIL,
        "NASHR_NEWSLETTER_PROVIDER": "nashr.newsletter.providers.SmtpProvider",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def db_path(data_dir: Path) -> Path:
    return data_dir / "nashr.sqlite3"


def db_query(data_dir: Path, sql: str, params=()) -> list[tuple]:
    con = sqlite3.connect(f"file:{db_path(data_dir)}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def tasks_pending(data_dir: Path) -> int:
    rows = db_query(data_dir, "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                              "WHERE status IN ('READY', 'RUNNING')")
    return rows[0][0]


def checkpoint(data_dir: Path) -> None:
    con = sqlite3.connect(db_path(data_dir), timeout=30)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.procs = Procs()
        self.tmp = Path(tempfile.mkdtemp(prefix="nashr-bench-send-"))
        self.py = sys.executable
        self.counter = 0
        self.baseline_labels: list[str] = []

    # --- helpers --------------------------------------------------------

    def sender_env(self) -> dict:
        """Nashr's sending settings the runs use (the defaults unless given)."""
        env = {}
        if self.args.connections is not None:
            env["NASHR_NEWSLETTER_CONNECTIONS"] = str(self.args.connections)
        if self.args.unknown_max is not None:
            env["NASHR_NEWSLETTER_UNKNOWN_MAX"] = str(self.args.unknown_max)
        return env

    def log(self, name: str) -> Path:
        self.counter += 1
        return self.tmp / f"{self.counter:02d}-{name}.log"

    def seed(self, name: str, subscribers: int, *, message: Path | None = None) -> tuple[Path, dict]:
        """A data directory with the site, the draft and ``subscribers``."""
        data = self.tmp / f"seed-{name}"
        data.mkdir()
        env = base_env(data) | self.sender_env()
        t0 = time.perf_counter()
        self.procs.run(f"migrate-{name}", [self.py, "-m", "nashr", "migrate", "--no-input"],
                       env=env, log=self.log(f"migrate-{name}"), timeout=900)
        t_migrate = time.perf_counter() - t0
        out = self.tmp / f"seed-{name}.json"
        argv = [self.py, str(Path(__file__).resolve()), "_seed", "--subscribers", str(subscribers),
                "--out", str(out)]
        if message:
            argv += ["--message", str(message)]
        self.procs.run(f"seed-{name}", argv, env=env, log=self.log(f"seed-{name}"), timeout=1800)
        info = json.loads(out.read_text(encoding="utf-8"))
        t1 = time.perf_counter()
        self.procs.run(f"drain-{name}", [self.py, "-m", "nashr", "db_worker", "--batch",
                                         "--no-startup-delay"],
                       env=env, log=self.log(f"drain-{name}"), timeout=1800)
        info["drain_s"] = time.perf_counter() - t1
        info["migrate_s"] = t_migrate
        if tasks_pending(data):
            raise RuntimeError("seeding left background tasks pending")
        checkpoint(data)
        return data, info

    def copy_data(self, template: Path, name: str) -> Path:
        dest = self.tmp / f"run-{name}"
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(template, dest)
        return dest

    def start_sink(self, name: str) -> tuple[subprocess.Popen, Path, int]:
        status = self.tmp / f"sink-{name}.json"
        status.unlink(missing_ok=True)
        port = free_port()
        argv = [self.py, str(SINK), "--port", str(port), "--status", str(status)]
        if self.args.stock_sink:
            argv.append("--stock")
        proc = self.procs.start(f"sink-{name}", argv, env=dict(os.environ), log=self.log(f"sink-{name}"))
        deadline = time.monotonic() + 30
        while not status.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"SMTP sink did not start:\n{tail(proc.log)}")
            time.sleep(0.05)
        return proc, status, port

    @staticmethod
    def read_status(path: Path) -> dict:
        for _ in range(50):
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                time.sleep(0.02)
        raise RuntimeError(f"cannot read {path}")

    def stop_sink(self, name: str, status: Path) -> dict:
        self.procs.stop(f"sink-{name}")
        final = self.read_status(status)
        if "recipients" not in final:
            raise RuntimeError("the sink did not write its final counts")
        return final

    @staticmethod
    def check_recipients(final: dict, n: int) -> dict:
        recipients = final["recipients"]
        expected = {subscriber_email(i) for i in range(n)}
        got = set(recipients)
        dupes = {r: c for r, c in recipients.items() if c != 1}
        check = {
            "accepted": final["accepted"],
            "distinct_recipients": len(got),
            "recipients_with_more_than_one": len(dupes),
            "missing": len(expected - got),
            "unexpected": len(got - expected),
        }
        check["ok"] = (final["accepted"] == n and got == expected and not dupes)
        if dupes:
            check["dupes_sample"] = dict(list(dupes.items())[:10])
        return check

    def wait_for_messages(self, status: Path, n: int, *, timeout: float,
                          watch: list[subprocess.Popen], on_poll=None) -> dict:
        deadline = time.monotonic() + timeout
        last_print = time.monotonic()
        while True:
            st = self.read_status(status)
            if st["accepted"] >= n:
                return st
            if on_poll:
                on_poll()
            for proc in watch:
                if proc.poll() is not None:
                    raise RuntimeError(f"a process exited with {proc.returncode}:\n{tail(proc.log)}")
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError(f"only {st['accepted']:,} of {n:,} messages after {timeout:.0f} s")
            if now - last_print > 15:
                print(f"    {st['accepted']:,} of {n:,} messages accepted...", flush=True)
                last_print = now
            time.sleep(0.05)

    # --- the runs -------------------------------------------------------

    def baseline(self, message: Path, n: int) -> dict:
        attempts = []
        for attempt in range(self.args.retries + 1):
            quiet = wait_quiet(self.args.quiet_wait)
            label = f"baseline{len(self.baseline_labels)}"
            self.baseline_labels.append(label)
            sink, status, port = self.start_sink(label)
            window = CpuWindow({"sink": [sink.pid]})
            out = self.tmp / "baseline.out"
            with open(out, "wb") as fh:
                window.start()
                proc = self.procs.start("baseline", [self.py, str(Path(__file__).resolve()), "_baseline",
                                                     "--port", str(port), "--message", str(message),
                                                     "--count", str(n)],
                                        env=dict(os.environ), log=self.log("baseline"), stdout=fh)
                code = proc.wait(timeout=max(300, n / 20))
            self.procs.stop("baseline")
            if code != 0:
                raise RuntimeError(f"baseline loop failed:\n{tail(proc.log)}")
            loop = json.loads(out.read_text().strip().splitlines()[-1])
            st = self.wait_for_messages(status, n, timeout=30, watch=[])
            cpu = window.stop(extra_mine_s=loop["cpu_s"])
            cpu["loop"] = round(loop["cpu_s"] / cpu["seconds"], 2)
            final = self.stop_sink(label, status)
            check = self.check_recipients(final, n)
            if not check["ok"]:
                raise RuntimeError(f"baseline: the sink did not get one message per recipient: {check}")
            seconds = st["last_at"] - loop["t0"]
            result = {"messages": n, "seconds": round(seconds, 3), "messages_per_s": round(n / seconds, 1),
                      "message_bytes": final["bytes"] // max(1, final["accepted"]),
                      "cpu": cpu, "quiet_before": quiet, "check": check, "attempt": attempt + 1}
            print(f"    bare smtplib loop: {n:,} messages in {seconds:.2f} s = "
                  f"{n / seconds:,.0f}/s (sink {cpu['sink']:.2f} cores, loop {cpu['loop']:.2f}, "
                  f"others {cpu['others']:.2f})", flush=True)
            attempts.append(result)
            if cpu["others"] <= OTHERS_MAX:
                break
            print(f"    other processes used {cpu['others']:.2f} cores during the run; repeating", flush=True)
        best = min(attempts, key=lambda r: r["cpu"]["others"])
        best["attempts"] = [{k: a[k] for k in ("seconds", "messages_per_s")} | {"others": a["cpu"]["others"]}
                            for a in attempts]
        return best

    def nashr_run(self, template: Path, seed: dict, *, n: int, workers: int, label: str,
                  memory: bool = False) -> dict:
        attempts = []
        for attempt in range(self.args.retries + 1):
            result = self._nashr_once(template, seed, n=n, workers=workers,
                                      label=f"{label}-{attempt}", memory=memory)
            result["attempt"] = attempt + 1
            attempts.append(result)
            if result["cpu"]["others"] <= OTHERS_MAX or memory:
                break
            print(f"    other processes used {result['cpu']['others']:.2f} cores during the run; "
                  "repeating", flush=True)
        best = min(attempts, key=lambda r: r["cpu"]["others"])
        best["attempts"] = [{k: a[k] for k in ("seconds", "messages_per_s")} | {"others": a["cpu"]["others"]}
                            for a in attempts]
        return best

    def _nashr_once(self, template: Path, seed: dict, *, n: int, workers: int, label: str,
                    memory: bool) -> dict:
        data = self.copy_data(template, label)
        sink, status, port = self.start_sink(label)
        env = base_env(data) | {"NASHR_EMAIL_HOST": "127.0.0.1", "NASHR_EMAIL_PORT": str(port),
                                "NASHR_NEWSLETTER_SENDERS": str(workers)} | self.sender_env()
        worker_procs = []
        for w in range(workers):
            worker_procs.append(self.procs.start(
                f"worker-{label}-{w}",
                [self.py, "-m", "nashr", "db_worker", "--interval", str(self.args.interval),
                 "--no-startup-delay"],
                env=env, log=self.log(f"worker-{label}-{w}")))
        pub = self.procs.start(f"publish-{label}",
                               [self.py, str(Path(__file__).resolve()), "_publish",
                                "--article", str(seed["draft_id"])],
                               env=env, log=self.log(f"publish-{label}"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if pub.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"publisher did not start:\n{tail(pub.log)}")
        # a worker is in its loop once it has the database open
        deadline = time.monotonic() + 60
        for proc in worker_procs:
            while not has_open(proc.pid, "nashr.sqlite3"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start:\n{tail(proc.log)}")
                time.sleep(0.05)
        time.sleep(0.5)
        quiet = wait_quiet(self.args.quiet_wait)
        window = CpuWindow({"sink": [sink.pid], "workers": [p.pid for p in worker_procs]})
        rss: list[tuple[float, int, int, int]] = []
        main_worker = worker_procs[0].pid

        db_mapped: list[tuple[float, int]] = []

        def poll_rss() -> None:
            kb = status_all_kb(main_worker)
            if "VmRSS" in kb:
                rss.append((time.monotonic(), kb["VmRSS"], kb.get("RssAnon", 0), kb.get("RssFile", 0)))
            # the resident part of the memory-mapped SQLite file, once a second
            if not db_mapped or time.monotonic() - db_mapped[-1][0] >= 1.0:
                db_mapped.append((time.monotonic(), mapped_rss_kb(main_worker, "nashr.sqlite3")))

        print(f"    {label}: publishing (K={workers}, {n:,} subscribers)", flush=True)
        window.start()
        pub.stdin.write(b"go\n")
        pub.stdin.flush()
        timeout = self.args.memory_max_seconds * 2 if memory else max(600.0, n / 20)
        st = self.wait_for_messages(status, n, timeout=timeout, watch=worker_procs,
                                    on_poll=poll_rss if memory else None)
        pub_line = pub.stdout.readline()
        pub.wait(timeout=60)
        self.procs.stop(f"publish-{label}")
        published = json.loads(pub_line)
        cpu = window.stop(extra_mine_s=0.0)
        # Let the workers finish: the last "sent" flush, the issue marked sent.
        deadline = time.monotonic() + 120
        while True:
            issue_status = db_query(data, "SELECT status FROM newsletter_issue WHERE id = ?",
                                    (published["issue_id"],))[0][0]
            if issue_status == "sent" and tasks_pending(data) == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"issue still {issue_status} / tasks pending after the last message")
            if memory:
                poll_rss()
            time.sleep(0.1)
        time.sleep(0.3)
        peaks = {f"worker{w}": {"vmhwm_kb": status_kb(p.pid, "VmHWM"), "vmrss_kb": status_kb(p.pid, "VmRSS")}
                 for w, p in enumerate(worker_procs)}
        for w in range(workers):
            self.procs.stop(f"worker-{label}-{w}")
        final = self.stop_sink(label, status)
        check = self.check_recipients(final, n)
        deliveries = dict(db_query(data, "SELECT status, COUNT(*) FROM newsletter_delivery "
                                         "WHERE issue_id = ? GROUP BY status", (published["issue_id"],)))
        check["deliveries"] = deliveries
        check["issue_status"] = issue_status
        tasks = self.task_timeline(data, published)
        check["tasks_failed"] = sum(1 for t in tasks if t["status"] != "SUCCESSFUL")
        check["ok"] = (check["ok"] and deliveries == {"sent": n} and issue_status == "sent"
                       and check["tasks_failed"] == 0)
        seconds = st["last_at"] - published["t0"]
        t0, t0_wall = published["t0"], published["t0_wall"]
        issue_row = db_query(data, "SELECT created_at, started_at, finished_at FROM newsletter_issue "
                                   "WHERE id = ?", (published["issue_id"],))[0]
        sent_range = db_query(data, "SELECT MIN(sent_at), MAX(sent_at) FROM newsletter_delivery "
                                    "WHERE issue_id = ?", (published["issue_id"],))[0]
        timeline = {
            "publish_returned": round(published["published_at"] - t0, 3),
            "issue_created": rel(issue_row[0], t0_wall),
            "deliveries_queued (issue started_at)": rel(issue_row[1], t0_wall),
            "first_message_accepted": round(st["first_at"] - t0, 3),
            "first_sent_flush": rel(sent_range[0], t0_wall),
            "last_message_accepted": round(st["last_at"] - t0, 3),
            "issue_finished": rel(issue_row[2], t0_wall),
        }
        result = {
            "label": label, "workers": workers, "senders": workers, "messages": n,
            "seconds": round(seconds, 3), "messages_per_s": round(n / seconds, 1),
            "message_bytes": final["bytes"] // max(1, final["accepted"]),
            "smtp_sessions": final["sessions"],
            "cpu": cpu, "quiet_before": quiet, "publisher_cpu_s": round(published["cpu_s"], 3),
            "check": check, "timeline_s": timeline,
            "tasks": [{k: v for k, v in t.items() if not k.endswith("_at")}
                      | {k[:-3]: rel(t[k], t0_wall) for k in ("enqueued_at", "started_at", "finished_at")}
                      for t in tasks],
            "worker_memory": peaks,
        }
        if memory:
            step = max(1, len(rss) // 60)
            # [seconds after publish, VmRSS, RssAnon, RssFile] in KiB, every 0.05 s
            # while sending, thinned to about 60 samples (the peaks are exact below)
            result["rss_timeline"] = [(round(t - t0, 1), kb, anon, file_)
                                      for t, kb, anon, file_ in rss[::step]]
            if rss:
                result["rss_peaks_sampled_kb"] = {"VmRSS": max(x[1] for x in rss),
                                                  "RssAnon": max(x[2] for x in rss),
                                                  "RssFile": max(x[3] for x in rss),
                                                  "sqlite_file_mapped": max(x[1] for x in db_mapped)}
                result["sqlite_file_mapped_kb"] = {"when_publishing": db_mapped[0][1],
                                                   "at_most": max(x[1] for x in db_mapped)}
            result["database_bytes"] = db_path(data).stat().st_size
        print(f"    {label}: {n:,} messages in {seconds:.2f} s = {n / seconds:,.0f}/s; "
              f"CPU: workers {cpu['workers']:.2f}, sink {cpu['sink']:.2f}, others {cpu['others']:.2f} cores; "
              f"peak RSS {max(w['vmhwm_kb'] or 0 for w in peaks.values()) / 1024:.0f} MiB; check {'ok' if check['ok'] else 'FAILED'}",
              flush=True)
        if not check["ok"]:
            raise RuntimeError(f"{label}: verification failed: {json.dumps(check)[:2000]}")
        shutil.rmtree(data, ignore_errors=True)
        return result

    def task_timeline(self, data: Path, published: dict) -> list[dict]:
        rows = db_query(data, "SELECT task_path, status, enqueued_at, started_at, finished_at, worker_ids, "
                              "return_value FROM django_tasks_database_dbtaskresult "
                              "WHERE enqueued_at >= ? ORDER BY enqueued_at",
                        (dt.datetime.fromtimestamp(published["t0_wall"] - 1, dt.timezone.utc)
                         .strftime("%Y-%m-%d %H:%M:%S"),))
        out = []
        for path, status, enq, started, finished, workers, ret in rows:
            out.append({"task": path.rsplit(".", 1)[-1], "status": status, "enqueued_at": enq,
                        "started_at": started, "finished_at": finished,
                        "worker": (json.loads(workers) or ["?"])[-1][-6:],
                        "return_value": json.loads(ret) if ret else None})
        return out

    def profile_run(self, template: Path, seed: dict, n: int, workers: int) -> dict:
        """The timed run once more with each worker under cProfile
        (``python -m cProfile -o worker-<i>.prof -m nashr db_worker``, stopped
        with SIGTERM when the issue is sent, which ends cProfile normally)."""
        import pstats

        label = f"profile-k{workers}"
        data = self.copy_data(template, label)
        sink, status, port = self.start_sink(label)
        env = base_env(data) | {"NASHR_EMAIL_HOST": "127.0.0.1", "NASHR_EMAIL_PORT": str(port),
                                "NASHR_NEWSLETTER_SENDERS": str(workers)} | self.sender_env()
        profs = [self.tmp / f"{label}-worker{w}.prof" for w in range(workers)]
        worker_procs = [
            self.procs.start(f"worker-{label}-{w}",
                             [self.py, str(Path(__file__).resolve()), "_profiled_worker", str(profs[w]),
                              "--", "db_worker",
                              "--interval", str(self.args.interval), "--no-startup-delay"],
                             env=env, log=self.log(f"worker-{label}-{w}"))
            for w in range(workers)]
        pub = self.procs.start(f"publish-{label}", [self.py, str(Path(__file__).resolve()), "_publish",
                                                    "--article", str(seed["draft_id"])],
                               env=env, log=self.log(f"publish-{label}"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if pub.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"publisher did not start:\n{tail(pub.log)}")
        deadline = time.monotonic() + 60
        for proc in worker_procs:
            while not has_open(proc.pid, "nashr.sqlite3"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start:\n{tail(proc.log)}")
                time.sleep(0.05)
        time.sleep(0.5)
        wait_quiet(self.args.quiet_wait)
        # Syscalls of each worker, counted by perf's tracepoints when perf is
        # there: clock_nanosleep is SQLite's busy handler sleeping while
        # another connection holds the write lock (the workers sleep in
        # nothing else while sending); pwrite64 and fcntl are WAL frames and
        # file locks, i.e. the cost of each committed write.
        perf = shutil.which("perf")
        perf_files = [self.tmp / f"{label}-perf{w}.csv" for w in range(workers)]
        if perf:
            for w, proc in enumerate(worker_procs):
                self.procs.start(f"perf-{label}-{w}",
                                 [perf, "stat", "-x", ",", "-o", str(perf_files[w]), "-e",
                                  ",".join(f"syscalls:sys_enter_{c}" for c in PERF_SYSCALLS),
                                  "-p", str(proc.pid)],
                                 env=dict(os.environ), log=self.log(f"perf-{label}-{w}"))
            time.sleep(0.5)
        window = CpuWindow({"sink": [sink.pid], "workers": [p.pid for p in worker_procs]})
        window.start()
        pub.stdin.write(b"go\n")
        pub.stdin.flush()
        st = self.wait_for_messages(status, n, timeout=max(900.0, n / 10), watch=worker_procs)
        published = json.loads(pub.stdout.readline())
        pub.wait(timeout=60)
        self.procs.stop(f"publish-{label}")
        cpu = window.stop()
        deadline = time.monotonic() + 120
        while tasks_pending(data) or db_query(data, "SELECT status FROM newsletter_issue WHERE id = ?",
                                               (published["issue_id"],))[0][0] != "sent":
            if time.monotonic() > deadline:
                raise RuntimeError("profiled run: issue not finished")
            time.sleep(0.1)
        syscalls = None
        if perf:
            for w in range(workers):
                proc = self.procs.running[f"perf-{label}-{w}"]
                proc.send_signal(signal.SIGINT)  # perf stat writes its counts and exits
                try:
                    proc.wait(timeout=30)
                finally:
                    self.procs.stop(f"perf-{label}-{w}")
            syscalls = [read_perf(f) for f in perf_files]
        for w in range(workers):
            self.procs.stop(f"worker-{label}-{w}", timeout=60)
        final = self.stop_sink(label, status)
        check = self.check_recipients(final, n)
        seconds = st["last_at"] - published["t0"]
        shutil.rmtree(data, ignore_errors=True)
        stats = pstats.Stats(*[str(p) for p in profs])

        def short(func) -> str:
            filename, line, name = func
            if filename == "~":
                return name
            filename = re.sub(r".*/site-packages/", "", filename)
            filename = re.sub(r".*/work/main/", "", filename)
            filename = re.sub(r".*/lib/python3\.\d+/", "", filename)
            return f"{filename}:{line}({name})"

        def row(func, values) -> dict:
            cc, nc, tt, ct, _ = values
            return {"function": short(func), "calls": nc, "tottime_s": round(tt, 3),
                    "cumtime_s": round(ct, 3), "per_message_us": round(ct / n * 1e6, 1),
                    "per_call_us": round(ct / nc * 1e6, 1) if nc else None}

        wanted = {
            "issue_send": ("nashr/newsletter/sending/loop.py", "issue_send"),
            "issue_queue": ("nashr/newsletter/sending/issues.py", "issue_queue"),
            "issue_render_once": ("nashr/newsletter/sending/issues.py", "issue_render_once"),
            "_claim_rows": ("nashr/newsletter/sending/claiming.py", "_claim_rows"),
            "_write": ("nashr/newsletter/sending/writes.py", "_write"),
            "ProviderPool.wait": ("nashr/newsletter/providers.py", "wait"),
            "SmtpProvider.send": ("nashr/newsletter/providers.py", "send"),
            "PreparedIssue.build": ("nashr/newsletter/message/prepared.py", "build"),
            "unsubscribe_url_for": ("nashr/newsletter/tokens.py", "unsubscribe_url_for"),
            "manage_url_for": ("nashr/newsletter/tokens.py", "manage_url_for"),
            "django reverse()": ("django/urls/base.py", "reverse"),
            "QuerySet.update": ("django/db/models/query.py", "update"),
            "Manager.filter (queryset creation)": ("django/db/models/manager.py", "manager_method"),
            "smtplib SMTP.sendmail": ("smtplib.py", "sendmail"),
            "smtplib SMTP.mail": ("smtplib.py", "mail"),
            "smtplib SMTP.rcpt": ("smtplib.py", "rcpt"),
            "smtplib SMTP.data": ("smtplib.py", "data"),
            "smtplib SMTP.getreply": ("smtplib.py", "getreply"),
        }
        key_functions = {}
        for name_, (file_end, fname) in wanted.items():
            matches = [(f, v) for f, v in stats.stats.items() if f[0].endswith(file_end) and f[2] == fname]
            if matches:
                f, v = max(matches, key=lambda kv: kv[1][3])
                key_functions[name_] = row(f, v)
        # C functions: the SQLite statement itself, socket calls
        for name_, needle in {"SQLite statements (C, incl. lock waits)": "SQLiteCursorWrapper.execute",
                              "socket recv_into (waiting for replies)": "recv_into",
                              "socket sendall": "sendall",
                              "re.Pattern.sub": "'sub' of 're.Pattern'"}.items():
            matches = [(f, v) for f, v in stats.stats.items() if f[0] == "~" and needle in f[2]]
            if matches:
                f, v = max(matches, key=lambda kv: kv[1][3])
                key_functions[name_] = row(f, v)
        by_tt = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:30]
        by_ct = sorted(((f, v) for f, v in stats.stats.items() if not f[0].startswith("<frozen")),
                       key=lambda kv: kv[1][3], reverse=True)[:40]
        print(f"    {label}: {n:,} messages in {seconds:.2f} s under cProfile; CPU: workers "
              f"{cpu['workers']:.2f}, sink {cpu['sink']:.2f}, others {cpu['others']:.2f} cores", flush=True)
        return {
            "workers": workers, "messages": n, "seconds": round(seconds, 2),
            "messages_per_s": round(n / seconds, 1), "cpu": cpu,
            "profiled_total_s": round(stats.total_tt, 2), "check_ok": check["ok"],
            "syscalls_per_worker": syscalls,
            "key_functions": key_functions,
            "top_tottime": [row(f, v) for f, v in by_tt],
            "top_cumtime": [row(f, v) for f, v in by_ct],
            "command": "python bench/newsletter_send.py _profiled_worker worker-<i>.prof -- db_worker "
                       f"--interval {self.args.interval} --no-startup-delay (x{workers}, stopped by SIGTERM)",
        }

    # --- everything -----------------------------------------------------

    def run(self) -> dict:
        a = self.args
        started_at = dt.datetime.now(dt.timezone.utc).astimezone()
        result: dict = {"started_at": started_at.isoformat(timespec="seconds"),
                        "command": "python bench/newsletter_send.py " + " ".join(a.argv),
                        "machine": machine_info(), "settings": {
                            "subscribers": a.subscribers, "workers": a.workers,
                            "memory_subscribers": a.memory_subscribers, "interval": a.interval,
                            "quiet_wait": a.quiet_wait, "retries": a.retries,
                            "sink": "aiosmtpd, stock" if a.stock_sink else
                                    "aiosmtpd with a one-readuntil DATA and plain-address fast path (bench/smtp_sink.py)"}}
        n = a.subscribers
        message = self.tmp / "message.eml"
        print(f"seeding: migrate, build_site, draft article, {n:,} subscribers", flush=True)
        template, seed = self.seed("main", n, message=message)
        result["seed"] = seed
        result["settings"].update({k: seed[k] for k in ("connections", "unknown_max", "group_size",
                                                         "groups_in_flight")})
        print(f"  done: subscribers in {seed['subscribers_s']:.1f} s, message {seed['message_bytes']:,} bytes",
              flush=True)

        print("baseline: bare smtplib loop over one connection", flush=True)
        baselines = [self.baseline(message, n)]

        result["runs"] = []
        for k in a.workers:
            print(f"Nashr with {k} worker(s)", flush=True)
            result["runs"].append(self.nashr_run(template, seed, n=n, workers=k, label=f"k{k}"))

        # The machine's speed drifts (it is a shared virtual machine): the
        # baseline is measured again after the Nashr runs and the faster of
        # the two is the reference (the stricter comparison).
        print("baseline again", flush=True)
        baselines.append(self.baseline(message, n))
        for i, b in enumerate(baselines):
            b["when"] = "before the Nashr runs" if i == 0 else "after the Nashr runs"
        result["baselines"] = baselines
        result["baseline"] = max(baselines, key=lambda b: b["messages_per_s"])
        base_rate = result["baseline"]["messages_per_s"]
        for r in result["runs"]:
            r["ratio"] = round(r["messages_per_s"] / base_rate, 3)

        result["profiles"] = []
        for k in a.profile_workers:
            print(f"profile: {k} worker(s) under cProfile", flush=True)
            prof = self.profile_run(template, seed, n, k)
            prof["ratio"] = round(prof["messages_per_s"] / base_rate, 3)
            result["profiles"].append(prof)

        shutil.rmtree(template, ignore_errors=True)
        if a.memory_subscribers:
            m = a.memory_subscribers
            one = next((r for r in result["runs"] if r["workers"] == 1), None)
            note = ""
            if one:
                estimate = m / one["messages_per_s"]
                if estimate > a.memory_max_seconds:
                    fit = int(one["messages_per_s"] * a.memory_max_seconds * 0.8) // 10000 * 10000
                    fit = max(10000, fit)
                    note = (f"{m:,} subscribers would take about {estimate / 60:.1f} min at the "
                            f"single-worker rate (limit {a.memory_max_seconds / 60:.0f} min); "
                            f"measured with {fit:,}")
                    print(f"  {note}", flush=True)
                    m = fit
            print(f"memory: one worker, {m:,} subscribers", flush=True)
            mem_template, mem_seed = self.seed("memory", m)
            r = self.nashr_run(mem_template, mem_seed, n=m, workers=1, label="memory", memory=True)
            r["ratio"] = round(r["messages_per_s"] / base_rate, 3)
            r["requested_subscribers"] = a.memory_subscribers
            r["note"] = note
            r["seed"] = mem_seed
            result["memory"] = r
            shutil.rmtree(mem_template, ignore_errors=True)

        result["goals"] = goals(result)
        result["finished_at"] = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
        return result


def rel(value: str | None, t0_wall: float) -> float | None:
    """Seconds from ``t0_wall`` to a UTC datetime stored by Django in SQLite."""
    if not value:
        return None
    when = dt.datetime.fromisoformat(value.replace(" ", "T"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return round(when.timestamp() - t0_wall, 3)


def goals(r: dict) -> dict:
    base = r["baseline"]["messages_per_s"]
    out = {}
    one = next((x for x in r["runs"] if x["workers"] == 1), None)
    if one:
        out["one_worker"] = {"goal": f">= {GOAL_ONE_WORKER:.0%} of the bare loop",
                             "ratio": one["ratio"], "met": one["messages_per_s"] >= GOAL_ONE_WORKER * base}
    several = [x for x in r["runs"] if x["workers"] > 1]
    if several:
        best = max(several, key=lambda x: x["messages_per_s"])
        out["several_workers"] = {"goal": "faster than the bare loop", "workers": best["workers"],
                                  "ratio": best["ratio"], "met": best["messages_per_s"] > GOAL_SEVERAL * base}
    if "memory" in r:
        mem = r["memory"]
        peak = mem["worker_memory"]["worker0"]["vmhwm_kb"] * 1024 / 1e6  # MB, 10^6 bytes
        out["memory"] = {"goal": f"peak RSS < {GOAL_PEAK_MB} MB at 100,000 subscribers",
                         "subscribers": mem["messages"], "peak_mb": round(peak, 1),
                         "peak_mib": round(mem["worker_memory"]["worker0"]["vmhwm_kb"] / 1024, 1),
                         "met": peak < GOAL_PEAK_MB and mem["messages"] >= 100000,
                         "met_at_measured_size": peak < GOAL_PEAK_MB}
    return out


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass

    def git(*argv: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(REPO_DIR), *argv], capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    import aiosmtpd
    import django
    import wagtail

    return {
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_uncommitted_in_nashr": len(git("status", "--porcelain", "--", "nashr").splitlines()),
        "nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "kernel": platform.release(),
        "python": platform.python_version(), "django": django.get_version(),
        "wagtail": wagtail.__version__, "aiosmtpd": aiosmtpd.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


# --------------------------------------------------------------------------
# Output


def fmt(n: float) -> str:
    return f"{n:,.0f}"


def readme_text(r: dict, json_path: Path) -> str:
    """This script's section of bench/README.md for one run."""
    m, b = r["machine"], r["baseline"]
    base = b["messages_per_s"]
    try:
        json_rel = json_path.relative_to(BENCH_DIR)
    except ValueError:
        json_rel = json_path
    lines = [
        "## Newsletter sending (`newsletter_send.py`)",
        "",
        "Time from publishing an article with \"send to subscribers\" ticked to the",
        "last message accepted by a local SMTP sink, beside a bare `smtplib` loop",
        "measured in the same run, and the peak memory of one worker (issue 3,",
        "\"Speed and memory\"). Everything runs on 127.0.0.1 on this machine and shares",
        "its cores: the sink (`bench/smtp_sink.py`: aiosmtpd's protocol in its own",
        "process, with a one-`readuntil` `DATA` and a fast path for plain addresses,",
        "because stock aiosmtpd needs more CPU per message than the client it",
        "serves), SQLite, the `db_worker` processes and the publishing process.",
        "",
        "```sh",
        "python bench/newsletter_send.py [--subscribers 10000] [--workers 1 2] [--memory-subscribers 100000]",
        "```",
        "",
        "- **bare smtplib loop**: one process sends one real Nashr issue message",
        "  (built once with `PreparedIssue.build`) N times with `SMTP.sendmail` over",
        "  one connection, one recipient each; run before and after the Nashr runs,",
        "  the faster of the two is the reference.",
        "- **Nashr, K workers**: a fresh copy of a seeded SQLite database (the",
        "  `build_site` articles, a draft article, N confirmed subscribers);",
        "  K `python -m nashr db_worker --interval 1` processes with",
        "  `NASHR_NEWSLETTER_SENDERS=K` (one send task per worker, each with",
        "  `NASHR_NEWSLETTER_CONNECTIONS` SMTP connections, one thread each),",
        "  started and polling; then a process ticks",
        "  `send_to_subscribers` on the draft and calls `save_revision().publish()`.",
        "  Timed from just before `save_revision()` to the sink's acceptance of the",
        "  N-th message, so it includes the signal, the task pick-up (up to 1 s of",
        "  polling), rendering the issue, queueing N deliveries and sending. Checked",
        "  afterwards: every subscriber got exactly one message, every delivery",
        "  `sent`, the issue `sent`, no task failed.",
        "- **memory**: one worker, the peak resident set (`VmHWM` in its",
        "  `/proc/<pid>/status`, read before it is stopped) over the whole issue.",
        "- Before each run the script waits for other processes to go quiet and",
        "  repeats a run during which they used more than "
        f"{OTHERS_MAX} of a core.",
        "",
        "### Results",
        "",
        f"{r['started_at'][:16].replace('T', ' ')} (UTC{r['started_at'][19:]}), "
        f"`{r['command']}`, at commit `{m['git_commit']}` with "
        f"{m['git_uncommitted_in_nashr']} uncommitted files in `nashr/`.",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']} RAM, Linux {m['kernel']}; "
        f"Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, aiosmtpd {m['aiosmtpd']}, "
        f"SQLite {m['sqlite']}.",
        "",
        "| run | messages | seconds | messages/s | ratio to the bare smtplib loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for x in r.get("baselines", [b]):
        ref = " (reference)" if x is b or x == b else ""
        lines.append(f"| bare smtplib loop, one connection, {x.get('when', '')}{ref} | {fmt(x['messages'])} | "
                     f"{x['seconds']:.2f} | {fmt(x['messages_per_s'])} | {x['messages_per_s'] / base:.0%} |")
    for x in r["runs"]:
        lines.append(f"| Nashr, {x['workers']} worker{'s' if x['workers'] > 1 else ''}, publish → last "
                     f"message | {fmt(x['messages'])} | {x['seconds']:.2f} | {fmt(x['messages_per_s'])} | "
                     f"{x['ratio']:.0%} |")
    mem = r.get("memory")
    if mem:
        busy = (f" (other processes used {mem['cpu']['others']:.2f} cores)"
                if mem["cpu"]["others"] > OTHERS_MAX else "")
        lines.append(f"| Nashr, 1 worker, memory run{busy} | {fmt(mem['messages'])} | {mem['seconds']:.2f} | "
                     f"{fmt(mem['messages_per_s'])} | {mem['messages_per_s'] / base:.0%} |")
    lines.append("")
    g = r["goals"]

    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    if "one_worker" in g:
        lines.append(f"- **Goal: one worker ≥ 50% of the bare loop**: {met(g['one_worker']['met'])} "
                     f"({g['one_worker']['ratio']:.0%}).")
    if "several_workers" in g:
        lines.append(f"- **Goal: several workers faster than the bare loop**: "
                     f"{met(g['several_workers']['met'])} ({g['several_workers']['workers']} workers: "
                     f"{g['several_workers']['ratio']:.0%}).")
    if mem:
        gm = g["memory"]
        size = (f"measured at {fmt(gm['subscribers'])} subscribers, not 100,000: "
                + (mem["note"] or "`--memory-subscribers` asked for that")
                if gm["subscribers"] < 100000 else f"{fmt(gm['subscribers'])} subscribers")
        lines.append(f"- **Goal: peak memory of a worker < {GOAL_PEAK_MB} MB**: {met(gm['met'])}: "
                     f"peak RSS {gm['peak_mb']:.0f} MB = {gm['peak_mib']:.0f} MiB ({size}).")
    lines.append("")
    st = r["settings"]
    if "connections" in st:
        lines.append(
            f"- **Sending settings of the Nashr runs**: {st['connections']} SMTP connections per worker "
            f"(`NASHR_NEWSLETTER_CONNECTIONS`); at most {st['unknown_max']} deliveries per worker marked "
            f"`sending` without a written outcome (`NASHR_NEWSLETTER_UNKNOWN_MAX`: the most that can end "
            f"`unknown` when a worker dies), marked in groups of {st['group_size']} with up to "
            f"{st['groups_in_flight']} groups in flight.")
    lines.append(f"- **Messages**: {fmt(b['message_bytes'])} bytes each in the bare loop, "
                 + ", ".join(f"{fmt(x['message_bytes'])} bytes on average with K={x['workers']}"
                             for x in r["runs"]) + " (multipart text + HTML, base64).")
    cpu_parts = [f"bare loop ({x.get('when', '')}): loop {x['cpu']['loop']:.2f}, sink {x['cpu']['sink']:.2f}, "
                 f"other processes {x['cpu']['others']:.2f}" for x in r.get("baselines", [b])]
    for x in r["runs"] + ([mem] if mem else []):
        name = "memory run" if x is mem else f"K={x['workers']}"
        cpu_parts.append(f"{name}: workers {x['cpu']['workers']:.2f}, sink {x['cpu']['sink']:.2f}, "
                         f"other processes {x['cpu']['others']:.2f}")
    lines.append(f"- **CPU during each run** (cores busy on average, of {m['nproc']}): "
                 + "; ".join(cpu_parts) + ".")
    for x in r["runs"]:
        t = x["timeline_s"]
        send_s = t["last_message_accepted"] - t["first_message_accepted"]
        sends = [tk for tk in x["tasks"] if tk["task"] == "issue_send_task"]
        start = next((tk for tk in x["tasks"] if tk["task"] == "issue_start_task"), None)
        lines.append(
            f"- **Timeline, K={x['workers']}** (seconds after publish): `publish()` returned at "
            f"{t['publish_returned']:.2f}; `issue_start_task` ran {start['started']:.2f}–{start['finished']:.2f} "
            f"(render + queue {fmt(x['messages'])} deliveries); first message {t['first_message_accepted']:.2f}, "
            f"last {t['last_message_accepted']:.2f}: sending alone {x['messages'] / send_s:,.0f} messages/s "
            f"({x['messages'] / send_s / base:.0%} of the bare loop); send tasks started at "
            + ", ".join(f"{tk['started']:.2f}" for tk in sends) + ".")
    if mem:
        w0 = mem["worker_memory"]["worker0"]
        peaks = mem.get("rss_peaks_sampled_kb")
        split = ""
        if peaks and mem.get("rss_timeline"):
            first = mem["rss_timeline"][0]
            mapped = mem.get("sqlite_file_mapped_kb")
            split = (f" (sampled every 0.05 s: anonymous memory {first[2] / 1024:.0f} MiB when publishing, "
                     f"at most {peaks['RssAnon'] / 1024:.0f} MiB; file-backed pages {first[3] / 1024:.0f} MiB "
                     f"when publishing, at most {peaks['RssFile'] / 1024:.0f} MiB"
                     + (f", of which the memory-mapped SQLite database, {mem['database_bytes'] / 1e6:.0f} MB "
                        "on disk (Nashr's settings set `PRAGMA mmap_size` to 128 MiB), "
                        f"{mapped['when_publishing'] / 1024:.0f} MiB when publishing and at most "
                        f"{mapped['at_most'] / 1024:.0f} MiB" if mapped else "")
                     + ")")
        lines.append(f"- **Memory run**: {fmt(mem['messages'])} subscribers; peak RSS (`VmHWM`) "
                     f"{w0['vmhwm_kb'] / 1024:.0f} MiB{split}; RSS once the issue was sent "
                     f"{w0['vmrss_kb'] / 1024:.0f} MiB. The RSS timeline is in the JSON.")
    for prof in r.get("profiles", []):
        kf = prof["key_functions"]

        def us(name: str) -> str:
            return f"{kf[name]['per_message_us']:.0f}" if name in kf else "?"

        sql = kf.get("SQLite statements (C, incl. lock waits)")
        lines.append(
            f"- **Profile, K={prof['workers']}** (cProfile of each worker's main thread and SMTP "
            f"connection threads, {fmt(prof['messages'])} messages, {fmt(prof['messages_per_s'])}/s under "
            f"the profiler; µs per message, summed over all workers and threads — the connection threads "
            f"wait in parallel, so their times add up to more than the run): SMTP conversations "
            f"{us('SmtpProvider.send')} (waiting for replies {us('socket recv_into (waiting for replies)')}); "
            f"in the main thread: the two signed links {us('unsubscribe_url_for')} + {us('manage_url_for')}, "
            f"`PreparedIssue.build` {us('PreparedIssue.build')}, claiming {us('_claim_rows')}, writing "
            f"outcomes and `sending` marks {us('_write')}, waiting for a connection to finish a group "
            f"{us('ProviderPool.wait')}"
            + (f"; one SQLite statement takes {sql['per_call_us']:.0f} µs on average (with the wait to get "
               "the interpreter lock back from the connection threads)" if sql else "")
            + ".")
        if prof.get("syscalls_per_worker"):
            tot = {k: sum(w.get(k, 0) for w in prof["syscalls_per_worker"]) for k in PERF_SYSCALLS}
            lines.append(
                f"  Syscalls of the {prof['workers']} worker{'s' if prof['workers'] > 1 else ''} (perf): "
                f"{fmt(tot['clock_nanosleep'])} `clock_nanosleep` (SQLite's busy handler waiting for the "
                f"write lock, at least 1 ms each), {tot['pwrite64'] / prof['messages']:.1f} `pwrite64` and "
                f"{tot['fcntl'] / prof['messages']:.1f} `fcntl` per message (WAL frames and locks of the "
                f"write transactions), {tot['sendto'] / prof['messages']:.1f} `sendto` per message (SMTP).")
    lines.append("")
    lines.append(f"Raw numbers, each run's task timeline and the profiles: [`{json_rel}`]({json_rel}).")
    return "\n".join(lines)


def readme_update(section: str) -> None:
    """Put ``section`` between this script's markers in bench/README.md,
    re-reading the file just before writing and leaving everything outside
    the markers as it is; the block is appended at the end the first time."""
    block = f"{README_START}\n{section.rstrip()}\n{README_END}"
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        text = head + block + rest.split(README_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def parse_args(argv: list[str]):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subscribers", type=int, default=10000, help="subscribers for the timed runs (10000)")
    p.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="worker counts to time (1 2)")
    p.add_argument("--memory-subscribers", type=int, default=100000,
                   help="subscribers for the memory run (100000; 0: no memory run)")
    p.add_argument("--memory-max-seconds", type=float, default=360,
                   help="use fewer subscribers when the memory run would take longer (360)")
    p.add_argument("--connections", type=int, default=None,
                   help="NASHR_NEWSLETTER_CONNECTIONS for the workers (default: Nashr's default)")
    p.add_argument("--unknown-max", type=int, default=None,
                   help="NASHR_NEWSLETTER_UNKNOWN_MAX for the workers (default: Nashr's default)")
    p.add_argument("--interval", type=float, default=1.0, help="db_worker --interval (1, as nashr serve)")
    p.add_argument("--quiet-wait", type=float, default=120,
                   help="seconds to wait before each run for other processes to go quiet (120)")
    p.add_argument("--retries", type=int, default=1,
                   help=f"repeat a run when other processes used more than {OTHERS_MAX} cores (1)")
    p.add_argument("--stock-sink", action="store_true", help="the sink with aiosmtpd's own DATA and address parsing")
    p.add_argument("--profile-workers", type=int, nargs="*", default=[1, 2],
                   help="repeat the timed run with the workers under cProfile, for each of these "
                        "worker counts (1 2; none: no profile)")
    p.add_argument("--no-write", action="store_true", help="print only; no README or results file")
    p.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory (logs, databases)")
    p.add_argument("--readme-from", metavar="JSON", help="only rewrite the README section from a results file")
    args = p.parse_args(argv)
    args.argv = argv
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    sub = {"_seed": seed_main, "_publish": publish_main, "_baseline": baseline_main,
           "_profiled_worker": profiled_worker_main}
    if argv[:1] and argv[0] in sub:
        sub[argv[0]](argv[1:])
        return 0
    args = parse_args(argv)
    if args.readme_from:
        path = Path(args.readme_from).resolve()
        readme_update(readme_text(json.loads(path.read_text(encoding="utf-8")), path))
        print(f"wrote {README}")
        return 0

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    bench = Bench(args)
    try:
        result = bench.run()
        if args.keep_tmp:
            (bench.tmp / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=2),
                                                   encoding="utf-8")
    except KeyboardInterrupt:
        print("interrupted; everything started was stopped", file=sys.stderr)
        return 130
    finally:
        bench.procs.stop_all()
        if args.keep_tmp:
            print(f"kept {bench.tmp}")
        else:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    json_path = RESULTS_DIR / f"newsletter_send-{result['started_at'][:10]}.json"
    text = readme_text(result, json_path)
    print()
    print(text.split("### Results", 1)[1])
    if not args.no_write:
        RESULTS_DIR.mkdir(exist_ok=True)
        json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        readme_update(text)
        print(f"wrote {README.relative_to(REPO_DIR)} and {json_path.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
