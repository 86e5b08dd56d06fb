#!/usr/bin/env python3
"""Article-page throughput and latency of ``nashr serve`` on loopback, beside
two baselines measured in the same run.

    python bench/article_pages.py [--articles 1000] [--duration 10] [--connections 16]

What it does, in order (every process it starts is stopped and the temporary
directory removed at the end, also on Ctrl-C or an error):

1. A fresh data directory (``NASHR_DATA_DIR``) in a temporary directory;
   ``python -m nashr migrate``; then, in a separate process,
   :func:`nashr.site.demo.loader.demo_create` once (sections, authors, images
   and the demo articles of ``nashr/site/demo/content.json``) and copies of
   the demo articles (title + number, same standfirst, body, lead image, tags
   and authors, in the same sections) published through Wagtail's
   ``save_revision().publish()`` until ``--articles`` articles are live.
   The background tasks publishing makes (search index, reference index)
   run in that process as they are made (``NASHR_TASKS_BACKEND`` set to
   django-tasks' immediate backend), so the indexes are complete before
   the server starts, as after its task worker had run them, without the
   task worker's ~20 minutes of polling through them one by one.
2. ``python -m nashr serve --no-demo --port P --workers 2`` (gunicorn, task
   worker, scheduler). Every article is requested once (renditions are made
   on first view, so this is the warm-up) and must answer 200 without a
   redirect. Then, in another process with Django's test ``Client`` on the
   same database, the SQL queries of each benchmarked article page are
   counted with ``CaptureQueriesContext``.
3. wrk (``--threads`` threads, ``--connections`` connections,
   ``--duration`` seconds, ``--latency``) against ``--paths`` article paths
   in rotation (a Lua script; percent-encoded Arabic paths from
   ``page.url``), after an unmeasured pass of ``--fragment-warmup``
   seconds: no page is cached, but the article page's fragments
   (:mod:`nashr.articles.fragments`) are, so this is the warm number. Then
   ``nashr serve`` is restarted with ``NASHR_FRAGMENT_CACHE_SECONDS=0``
   (every fragment rendered per request) and measured the same way: the
   cold number.
4. Baseline A: the HTML of one of those article pages served as a static
   file by nginx (same path, same wrk settings).
5. Baseline B: a minimal Django view (``bench/minimal_django.py``: no
   database, no middleware) returning the same bytes under gunicorn with
   the same worker count and gunicorn options as ``nashr serve``.
6. Writes ``bench/README.md`` (table, machine, SQL queries, seeding time,
   goal) and the raw numbers to ``bench/results/article_pages-<date>.json``.

Not part of the test suite; needs ``wrk`` and ``nginx`` on ``PATH`` (or
``/usr/bin``, ``/usr/sbin``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_CONTENT = REPO_DIR / "nashr" / "site" / "demo" / "content.json"
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"

#: The issue's goal: uncached article pages at >= 10% of the minimal Django view.
GOAL_RATIO = 0.10
#: A wrk run during which processes not started here used more CPU (cores) is repeated.
OTHERS_MAX = 0.2
SEED_BATCH = 50  # articles per transaction while seeding
#: The seeding process runs each background task when it is made.
SEED_TASKS_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"


# --------------------------------------------------------------------------
# Processes: everything started is remembered and stopped in ``finally``.


class Procs:
    """Processes this run started, each stopped by its own pid (and the pids
    of its descendants, found in /proc, if it does not stop in time)."""

    def __init__(self) -> None:
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], *, env: dict, cwd: Path, log: Path) -> subprocess.Popen:
        fh = open(log, "ab")
        # Own session: a terminal's Ctrl-C reaches only this script, which
        # then stops the children in order (as ``nashr serve`` does).
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        fh.close()
        proc.log = log  # type: ignore[attr-defined]
        self.running[name] = proc
        return proc

    def stop(self, name: str, *, sig: int = signal.SIGTERM, timeout: float = 25.0) -> None:
        proc = self.running.pop(name, None)
        if proc is None:
            return
        family = descendants(proc.pid)
        if proc.poll() is None:
            try:
                proc.send_signal(sig)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # Anything of its family still alive (e.g. a child of a killed
        # supervisor) is ended by pid, checking it is the same process.
        for pid, started in family:
            if proc_start_time(pid) == started:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def stop_all(self) -> None:
        for name in list(self.running)[::-1]:
            self.stop(name)

    def run(self, name: str, argv: list[str], *, env: dict, cwd: Path, log: Path,
            timeout: float | None = None) -> None:
        """Start, wait for exit (``timeout`` seconds), raise on failure."""
        proc = self.start(name, argv, env=env, cwd=cwd, log=log)
        try:
            code = proc.wait(timeout=timeout)
        finally:
            self.stop(name)
        if code != 0:
            raise RuntimeError(f"{name} failed with status {code}:\n{tail(log)}")


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
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            started = proc_start_time(child)
            if started is not None:
                found.append((child, started))
                todo.append(child)
    return found


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tasks_by_status(db: Path, *, by_path: bool = False) -> dict[str, int]:
    """Background tasks in the django-tasks database queue, by status (or
    by ``"task_path status"``); empty when that table does not exist, e.g.
    with another tasks backend."""
    key = "task_path || ' ' || status" if by_path else "status"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)
    except sqlite3.Error:
        return {}
    try:
        rows = con.execute(f"SELECT {key}, COUNT(*) FROM django_tasks_database_dbtaskresult "
                           "GROUP BY 1 ORDER BY 1").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()
    return dict(rows)


def wait_tasks_drained(db: Path, *, proc: subprocess.Popen, timeout: float) -> float:
    """Wait until no background task is READY or RUNNING; return seconds."""
    t0 = time.monotonic()
    last_print = 0.0
    while True:
        counts = tasks_by_status(db)
        pending = counts.get("READY", 0) + counts.get("RUNNING", 0)
        now = time.monotonic()
        if pending == 0:
            return now - t0
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail(proc.log)}")
        if now - t0 > timeout:
            raise RuntimeError(f"{pending} background tasks still pending after {timeout:.0f} s")
        if now - last_print > 15:
            print(f"  {pending:,} background tasks pending...", flush=True)
            last_print = now
        time.sleep(1)


def wait_quiet(max_wait: float, *, threshold: float = 0.15) -> float:
    """Wait (up to ``max_wait`` s) until processes not started by this run
    use less than ``threshold`` of a core over 2 s, so other people's work
    on a shared machine does not land in the numbers. Returns the last
    measured CPU use of those processes, in cores."""
    deadline = time.monotonic() + max_wait
    announced = False
    while True:
        mine = [p for p, _ in descendants(os.getpid())]
        t0, (b0, i0, q0, st0), m0 = time.monotonic(), _cpu_jiffies(), _tree_jiffies(mine)
        time.sleep(2)
        t1, (b1, i1, q1, st1), m1 = time.monotonic(), _cpu_jiffies(), _tree_jiffies(mine)
        ticks = (b1 - b0) + (i1 - i0) + (q1 - q0) + (st1 - st0)
        busy = (os.cpu_count() or 1) * (b1 - b0) / ticks if ticks else 0.0
        others = max(0.0, busy - (m1 - m0) / os.sysconf("SC_CLK_TCK") / (t1 - t0))
        if others < threshold or time.monotonic() > deadline:
            if announced and others < threshold:
                print(f"  quiet after {max_wait - (deadline - time.monotonic()):.0f} s", flush=True)
            if others >= threshold:
                print(f"  machine still busy ({others:.2f} cores used by other processes); "
                      "measuring anyway", flush=True)
            return round(others, 2)
        if not announced:
            print(f"  other processes use {others:.2f} cores; waiting up to {max_wait:.0f} s "
                  "for a quiet machine", flush=True)
            announced = True


def http_get(port: int, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
    """One GET on a new connection; redirects are not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_http_ok(port: int, path: str, *, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail(proc.log)}")
        try:
            status, _ = http_get(port, path, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"no 200 on http://127.0.0.1:{port}{path} after {timeout:.0f} s:\n{tail(proc.log)}")


# --------------------------------------------------------------------------
# wrk


WRK_LUA = """\
-- Rotate through article paths; print wrk's summary as one JSON line.
local paths = {
%(paths)s
}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
function init(args)
  -- threads start at different places in the list
  i = ((tid or 1) - 1) * math.floor(#paths / 2)
end
function request()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "mean_us": %%.1f, "max_us": %%d, ' ..
    '"errors_connect": %%d, "errors_read": %%d, "errors_write": %%d, ' ..
    '"errors_status": %%d, "errors_timeout": %%d}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def wrk_run(*, port: int, paths: list[str], args, workdir: Path, label: str) -> dict:
    """Run wrk against ``paths`` in rotation; return its numbers.
    ``errors_status`` is wrk's count of responses with status > 399 (3xx
    are excluded by the warm-up, which refuses anything but 200).

    On a shared machine, a run during which other processes used more than
    ``OTHERS_MAX`` cores is repeated (``--retries``); the run with the least
    such CPU is kept and every attempt is recorded."""
    for p in paths:
        if not p.isascii() or '"' in p or "\\" in p or not p.startswith("/"):
            raise ValueError(f"unsafe path for the Lua script: {p!r}")
    script = workdir / f"wrk-{label}.lua"
    script.write_text(WRK_LUA % {"paths": ",\n".join(f'  "{p}"' for p in paths)})
    attempts = []
    for attempt in range(1 + max(0, args.retries)):
        data = _wrk_once(port=port, script=script, npaths=len(paths), args=args, label=label)
        attempts.append(data)
        if data["cpu_cores"]["others"] <= OTHERS_MAX:
            break
        if attempt < args.retries:
            print("    repeating this run", flush=True)
    best = min(attempts, key=lambda d: d["cpu_cores"]["others"])
    best["attempts"] = [{k: d[k] for k in ("rps", "p50_ms", "p99_ms", "cpu_cores")} for d in attempts]
    return best


def _wrk_once(*, port: int, script: Path, npaths: int, args, label: str) -> dict:
    others_before = wait_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    argv = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s",
            "--latency", "-s", str(script), f"http://127.0.0.1:{port}"]
    print(f"  wrk {label}: {args.duration} s, {args.connections} connections, "
          f"{args.threads} threads, {npaths} path(s)", flush=True)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        cpu = cpu_during(proc.pid, args.duration)
        stdout, stderr = proc.communicate(timeout=args.duration + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    match = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.M)
    if not match:
        raise RuntimeError(f"no summary from wrk:\n{out.stdout}")
    data = json.loads(match.group(1))
    rps_text = re.search(r"Requests/sec:\s*([\d.]+)", out.stdout)
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["rps_wrk_text"] = float(rps_text.group(1)) if rps_text else None
    data["p50_ms"] = data["p50_us"] / 1000
    data["p99_ms"] = data["p99_us"] / 1000
    data["non_2xx"] = data["errors_status"]
    data["socket_errors"] = sum(data[k] for k in ("errors_connect", "errors_read",
                                                  "errors_write", "errors_timeout"))
    data["cpu_cores"] = cpu
    data["others_cores_before"] = others_before
    data["wrk_stdout"] = out.stdout
    data["command"] = " ".join(argv)
    print(f"    {data['rps']:.0f} req/s, p50 {data['p50_ms']:.2f} ms, p99 {data['p99_ms']:.2f} ms, "
          f"non-2xx {data['non_2xx']}, socket errors {data['socket_errors']}", flush=True)
    print(f"    CPU (cores busy): server {cpu['server']:.2f}, wrk {cpu['wrk']:.2f}, "
          f"interrupts {cpu['interrupts']:.2f}, other processes on the machine "
          f"{cpu['others']:.2f} of {cpu['ncpu']}", flush=True)
    if cpu["others"] > OTHERS_MAX:
        print("    WARNING: other processes used CPU during this run; its numbers are low "
              f"(busiest: {cpu['others_top']})", flush=True)
    return data


def _cpu_jiffies() -> tuple[int, int, int, int]:
    """Jiffies of the whole machine from /proc/stat: (process time — user,
    nice, system —, idle, interrupts — irq, softirq: on loopback mostly the
    network stack, charged to no process —, steal by the hypervisor)."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = f
    return user + nice + system, idle + iowait, irq + softirq, steal


def _tree_jiffies(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(rest[11]) + int(rest[12])  # utime, stime
    return total


def cpu_during(wrk_pid: int, duration: float) -> dict:
    """Sample CPU use while wrk runs (skipping its first and last half
    second): cores used by the servers this script started, by wrk, and by
    every other process on the machine (other people's work skews results)."""
    margin = min(1.0, duration / 4)
    time.sleep(margin)

    def snap():
        server = [p for p, _ in descendants(os.getpid()) if p != wrk_pid]
        return time.monotonic(), _cpu_jiffies(), _tree_jiffies(server), _tree_jiffies([wrk_pid])

    def everyone() -> dict[int, tuple[int, str]]:
        procs = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                rest = stat.rsplit(")", 1)[1].split()
                procs[int(entry.name)] = (int(rest[11]) + int(rest[12]), stat.split("(", 1)[1].rsplit(")", 1)[0])
        return procs

    all0 = everyone()
    t0, (b0, i0, q0, st0), s0, w0 = snap()
    time.sleep(max(0.2, duration - 2 * margin))
    t1, (b1, i1, q1, st1), s1, w1 = snap()
    all1 = everyone()
    mine = {p for p, _ in descendants(os.getpid())} | {os.getpid()}
    hz0 = os.sysconf("SC_CLK_TCK")
    top = sorted(((all1[p][0] - all0.get(p, (0,))[0], p, all1[p][1]) for p in all1 if p not in mine),
                 reverse=True)[:3]
    others_top = ", ".join(f"{name} (pid {pid}) {j / hz0 / (t1 - t0):.2f}" for j, pid, name in top if j > 0)
    ncpu = os.cpu_count() or 1
    ticks = (b1 - b0) + (i1 - i0) + (q1 - q0) + (st1 - st0)
    busy = ncpu * (b1 - b0) / ticks if ticks else 0.0
    interrupts = ncpu * (q1 - q0) / ticks if ticks else 0.0
    steal = ncpu * (st1 - st0) / ticks if ticks else 0.0
    hz = os.sysconf("SC_CLK_TCK")
    server = (s1 - s0) / hz / (t1 - t0)
    wrk = (w1 - w0) / hz / (t1 - t0)
    return {"ncpu": ncpu, "busy": round(busy, 2), "server": round(server, 2), "wrk": round(wrk, 2),
            "others": round(max(0.0, busy - server - wrk), 2), "others_top": others_top,
            "interrupts": round(interrupts, 2), "steal": round(steal, 2),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3]}


def token_masked(html: bytes) -> bytes:
    """The page without its comment-form token (a signed render time, new
    on every request), for comparing two renders of one page."""
    return re.sub(rb'name="token" value="[^"]*"', b'name="token" value=""', html)


def wrk_unmeasured(*, port: int, paths: list[str], args, workdir: Path, seconds: int, label: str) -> dict:
    """An unmeasured wrk pass over ``paths`` (same Lua rotation, threads and
    connections as the measured runs) to fill per-process caches; returns
    its request count."""
    if seconds <= 0:
        return {"seconds": 0, "requests": 0}
    script = workdir / f"wrk-{label}.lua"
    script.write_text(WRK_LUA % {"paths": ",\n".join(f'  "{p}"' for p in paths)})
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    argv = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s",
            "-s", str(script), f"http://127.0.0.1:{port}"]
    print(f"  wrk {label} (not measured): {seconds} s", flush=True)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.M)
    if out.returncode != 0 or not match:
        raise RuntimeError(f"wrk {label} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    data = json.loads(match.group(1))
    if data["errors_status"]:
        raise RuntimeError(f"wrk {label}: {data['errors_status']} responses with an error status")
    return {"seconds": seconds, "requests": data["requests"],
            "requests_per_path": round(data["requests"] / len(paths), 1)}


def sql_summary(bench: list[dict], counts: dict[str, int]) -> dict:
    """Distinct query counts over the benchmarked pages, and whether they
    are fixed per kind of page (with or without body images, authors, tags)."""
    distinct = sorted(set(counts.values()))
    by_presence: dict[tuple, set] = {}
    for a in bench:
        by_presence.setdefault((a["images"] > 0, a["authors"] > 0, a["tags"] > 0), set()).add(counts[a["url"]])
    return {
        "distinct_counts": distinct,
        "constant": len(distinct) == 1,
        "constant_per_presence": all(len(v) == 1 for v in by_presence.values()),
        "by_presence": [{"has_body_images": k[0], "has_authors": k[1], "has_tags": k[2],
                         "queries": sorted(v)} for k, v in sorted(by_presence.items())],
    }


# --------------------------------------------------------------------------
# Inside Django (run as ``article_pages.py _seed`` / ``_queries`` in a
# separate process with NASHR_DATA_DIR set by the parent).


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashr.site.settings")
    import django

    django.setup()


def seed_main(argv: list[str]) -> None:
    """Create the demo, then copies of its articles until ``--articles``
    are live; write timings, the background tasks run (by task and status,
    when the tasks backend runs them in this process) and the article list
    as JSON to ``--out``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--content", required=True)
    parser.add_argument("--out", required=True)
    opts = parser.parse_args(argv)
    django_setup()
    from django.db import transaction
    from django.utils import timezone
    from django_tasks.signals import task_finished

    tasks_run: dict[str, int] = {}

    def on_task_finished(sender, task_result, **kwargs) -> None:
        key = f"{task_result.task.module_path} {task_result.status}"
        tasks_run[key] = tasks_run.get(key, 0) + 1

    task_finished.connect(on_task_finished, weak=False)

    from nashr.articles.models import ArticleAuthor, ArticlePage
    from nashr.site.demo.loader import demo_create

    t0 = time.perf_counter()
    counts = demo_create(content_path=Path(opts.content))
    t_demo = time.perf_counter() - t0

    templates = []
    for article in ArticlePage.objects.live().order_by("path"):
        templates.append({
            "section": article.get_parent().specific,
            "title": article.title,
            "standfirst": article.standfirst,
            "lead_image_id": article.lead_image_id,
            "body": [{"type": b["type"], "value": b["value"]} for b in article.body.raw_data],
            "tags": sorted(article.tags.names()),
            "authors": list(article.authors.order_by("sort_order").values_list("author_id", flat=True)),
            "source": {f: getattr(article, f) for f in ("source_publisher", "source_url",
                                                        "source_translator", "source_licence")},
        })
    if not templates:
        raise SystemExit("demo_create made no article")

    t1 = time.perf_counter()
    need = max(0, opts.articles - len(templates))
    now = timezone.now()
    made = 0
    while made < need:
        with transaction.atomic():
            for _ in range(min(SEED_BATCH, need - made)):
                tpl = templates[made % len(templates)]
                made += 1
                page = ArticlePage(
                    title=f"{tpl['title']} {made}",
                    standfirst=tpl["standfirst"],
                    lead_image_id=tpl["lead_image_id"],
                    body=json.loads(json.dumps(tpl["body"])),
                    date_published=now - dt.timedelta(days=3, hours=made),
                    **tpl["source"],
                )
                page.authors = [ArticleAuthor(author_id=a, sort_order=i)
                                for i, a in enumerate(tpl["authors"])]
                page.tags.add(*tpl["tags"])
                tpl["section"].add_child(instance=page)
                page.save_revision().publish()
        if made % 200 == 0 or made == need:
            print(f"  seeded {len(templates) + made}/{opts.articles} articles "
                  f"({time.perf_counter() - t1:.1f} s)", flush=True)
    t_copies = time.perf_counter() - t1

    articles = []
    for article in ArticlePage.objects.live().order_by("path"):
        raw = list(article.body.raw_data)
        articles.append({
            "id": article.pk,
            "url": article.get_url(),
            "blocks": len(raw),
            "images": sum(1 for b in raw if b["type"] == "image"),
            "tags": article.tags.count(),
            "authors": article.authors.count(),
            "body_chars": len(json.dumps([b["value"] for b in raw], ensure_ascii=False)),
        })
    Path(opts.out).write_text(json.dumps({
        "demo_counts": counts,
        "demo_articles": len(templates),
        "copies": made,
        "demo_create_s": t_demo,
        "copies_s": t_copies,
        "tasks_run": dict(sorted(tasks_run.items())),
        "articles": articles,
    }, ensure_ascii=False))


def queries_main(argv: list[str]) -> None:
    """Count the SQL queries of GET ``path`` for each path in ``--paths``
    (JSON file) with Django's test Client, after one warm-up request: twice
    per path, first with the fragment cache emptied (cold: every fragment
    rendered and stored), then again (warm: every fragment read from the
    cache, as in the measured run)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--detail", nargs="*", default=[], help="paths whose SQL is kept")
    parser.add_argument("--out", required=True)
    opts = parser.parse_args(argv)
    django_setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    paths = json.loads(Path(opts.paths).read_text())
    client = Client(HTTP_HOST=f"127.0.0.1:{opts.port}")
    client.get(paths[0])  # first request of a process fills per-process caches
    counts, cold_counts, detail, cold_detail = {}, {}, {}, {}
    for path in paths:
        caches["fragments"].clear()
        for kind_counts, kind_detail in ((cold_counts, cold_detail), (counts, detail)):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: status {response.status_code}")
            kind_counts[path] = len(ctx.captured_queries)
            if path in opts.detail:
                kind_detail[path] = [q["sql"] for q in ctx.captured_queries]
    first_path = paths[0]
    Path(opts.out).write_text(json.dumps({"counts": counts, "cold_counts": cold_counts, "sql": detail,
                                          "cold_sql": cold_detail, "first_path": first_path},
                                         ensure_ascii=False))


# --------------------------------------------------------------------------
# The run


def wait_for_content(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    announced = False
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} did not appear within {timeout:.0f} s")
        if not announced:
            print(f"waiting for {path} (up to {timeout / 60:.0f} min)...", flush=True)
            announced = True
        time.sleep(5)
    # a file being written: wait until it parses
    while True:
        try:
            json.loads(path.read_text(encoding="utf-8"))
            return
        except (ValueError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(5)


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    import django
    import gunicorn
    import wagtail

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

    return {
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_uncommitted_in_nashr": len(git("status", "--porcelain", "--", "nashr").splitlines()),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "gunicorn": gunicorn.__version__,
        "nginx": version([nginx_bin(), "-v"]),
        "wrk": version([shutil.which("wrk") or "/usr/bin/wrk", "-v"]).split(" Copyright")[0],
    }


def nginx_bin() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


NGINX_CONF = """\
# Baseline A of bench/article_pages.py: one HTML file, whatever the path.
%(user)s
worker_processes %(workers)d;
daemon off;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path %(tmp)s/client_body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        root %(www)s;
        charset utf-8;
        location / {
            default_type text/html;
            try_files /article.html =404;
        }
    }
}
"""


def gunicorn_args(*, port: int, workers: int, access_log: Path) -> list[str]:
    """The gunicorn options ``nashr serve`` uses (its access log goes to
    stdout, which this script sends to a file), for baseline B."""
    return ["--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--access-logfile", str(access_log), "--graceful-timeout", "10",
            # never touch another server's control socket (~/.gunicorn/gunicorn.ctl)
            "--no-control-socket",
            "--forwarded-allow-ips", "127.0.0.1"]


def run(args) -> dict:
    content = Path(args.content).resolve()
    wait_for_content(content, args.content_wait)
    procs = Procs()
    tmp = Path(tempfile.mkdtemp(prefix="nashr-bench-"))
    try:
        return run_in(args, procs, tmp, content)
    finally:
        procs.stop_all()
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_in(args, procs: Procs, tmp: Path, content: Path) -> dict:
    started_at = dt.datetime.now(dt.timezone.utc).astimezone()
    py = sys.executable
    data_dir = tmp / "data"
    data_dir.mkdir()
    nashr_port, nginx_port, minimal_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NASHR_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "nashr.site.settings",
        "NASHR_DATA_DIR": str(data_dir),
        "NASHR_SITE_URL": f"http://127.0.0.1:{nashr_port}",
        "PYTHONUNBUFFERED": "1",
    })
    result: dict = {"started_at": started_at.isoformat(timespec="seconds"), "machine": machine_info(),
                    "settings": {"articles": args.articles, "duration_s": args.duration,
                                 "connections": args.connections, "threads": args.threads,
                                 "workers": args.workers, "paths": args.paths,
                                 "content": str(content)}}

    # 1. Database and articles -------------------------------------------
    print(f"data dir {data_dir}", flush=True)
    t0 = time.perf_counter()
    procs.run("migrate", [py, "-m", "nashr", "migrate", "--no-input", "-v", "0"],
              env=env, cwd=tmp, log=tmp / "migrate.log", timeout=600)
    t_migrate = time.perf_counter() - t0
    print(f"migrate: {t_migrate:.1f} s", flush=True)
    seed_out = tmp / "seed.json"
    t0 = time.perf_counter()
    print(f"seeding {args.articles} articles...", flush=True)
    procs.run("seed", [py, str(Path(__file__).resolve()), "_seed", "--articles", str(args.articles),
                       "--content", str(content), "--out", str(seed_out)],
              env={**env, "NASHR_TASKS_BACKEND": SEED_TASKS_BACKEND}, cwd=tmp, log=tmp / "seed.log",
              timeout=3600)
    t_seed = time.perf_counter() - t0
    seed = json.loads(seed_out.read_text())
    articles = seed.pop("articles")
    if len(articles) < args.articles:
        raise RuntimeError(f"only {len(articles)} live articles after seeding")
    result["seeding"] = {
        "migrate_s": round(t_migrate, 2), "seed_process_s": round(t_seed, 2),
        "demo_create_s": round(seed["demo_create_s"], 2), "copies_s": round(seed["copies_s"], 2),
        "copies": seed["copies"], "demo_articles": seed["demo_articles"],
        "demo_counts": seed["demo_counts"], "live_articles": len(articles),
        "copies_per_s": round(seed["copies"] / seed["copies_s"], 1) if seed["copies_s"] else None,
    }
    print(f"seeded {len(articles)} live articles in {t_seed:.1f} s "
          f"(demo_create {seed['demo_create_s']:.1f} s, {seed['copies']} copies "
          f"{seed['copies_s']:.1f} s)", flush=True)

    for a in articles:
        if not a["url"].isascii():
            a["url"] = quote(a["url"], safe="/%")
    step = max(1, len(articles) // args.paths)
    bench = articles[::step][: args.paths]
    bench_paths = [a["url"] for a in bench]

    # 2. nashr serve, warm-up, SQL queries --------------------------------
    db = data_dir / "nashr.sqlite3"
    queued = tasks_by_status(db)
    print(f"starting nashr serve on port {nashr_port}", flush=True)
    t_server = time.monotonic()
    server = procs.start("nashr serve", [py, "-m", "nashr", "serve", "--no-demo", "--host", "127.0.0.1",
                                         "--port", str(nashr_port), "--workers", str(args.workers)],
                         env=env, cwd=tmp, log=tmp / "serve.log")
    wait_http_ok(nashr_port, "/", proc=server, timeout=120)
    print(f"background tasks queued by seeding: {sum(queued.values()):,}; waiting for the "
          "task worker to run them", flush=True)
    drain_s = wait_tasks_drained(db, proc=server, timeout=args.drain_timeout) + (
        time.monotonic() - t_server)
    done = tasks_by_status(db)
    result["background_tasks"] = {"run_while_seeding": seed.get("tasks_run", {}),
                                  "queued_after_seeding": queued, "after_drain": done,
                                  "after_drain_by_task": tasks_by_status(db, by_path=True),
                                  "drain_s": round(drain_s, 1)}
    print(f"task queue drained in {drain_s:.1f} s: {done}", flush=True)

    sizes: dict[str, int] = {}

    def warm(path: str) -> None:
        status, body = http_get(nashr_port, path)
        if status != 200:
            raise RuntimeError(f"warm-up: {path} answered {status} (expected 200, no redirect)")
        sizes[path] = len(body)

    t0 = time.perf_counter()
    # The demo articles first, one at a time: they hold every image, so
    # each rendition is made once, not by two workers at the same moment.
    for a in articles[: seed["demo_articles"]]:
        warm(a["url"])
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(warm, [a["url"] for a in articles[seed["demo_articles"]:]]))
    t_warm = time.perf_counter() - t0
    result["warmup"] = {"requests": len(articles), "seconds": round(t_warm, 2)}
    print(f"warm-up: {len(articles)} article pages, all 200, {t_warm:.1f} s", flush=True)

    by_size = sorted(bench, key=lambda a: (a["body_chars"], a["id"]))
    small, large = by_size[0], by_size[-1]
    paths_file = tmp / "paths.json"
    paths_file.write_text(json.dumps(bench_paths))
    q_out = tmp / "queries.json"
    procs.run("query count", [py, str(Path(__file__).resolve()), "_queries", "--paths", str(paths_file),
                              "--port", str(nashr_port), "--out", str(q_out),
                              "--detail", small["url"], large["url"]],
              env=env, cwd=tmp, log=tmp / "queries.log", timeout=600)
    q = json.loads(q_out.read_text())
    counts = q["counts"]
    distinct = sorted(set(counts.values()))
    # Which queries depend on what: per (body images, authors, tags) the
    # counts seen; "constant" means no count grows with how many images,
    # authors or tags an article has.
    combos: dict[tuple, set] = {}
    for a in bench:
        combos.setdefault((a["images"], a["authors"], a["tags"]), set()).add(counts[a["url"]])
    by_presence: dict[tuple, set] = {}
    for (images, authors, tags), seen in combos.items():
        by_presence.setdefault((images > 0, authors > 0, tags > 0), set()).update(seen)
    result["sql"] = {
        "pages_counted": len(counts),
        "distinct_counts": distinct,
        "constant": len(distinct) == 1,
        "constant_per_presence": all(len(v) == 1 for v in by_presence.values()),
        "by_content": [{"body_images": k[0], "authors": k[1], "tags": k[2], "queries": sorted(v)}
                       for k, v in sorted(combos.items())],
        "by_presence": [{"has_body_images": k[0], "has_authors": k[1], "has_tags": k[2],
                         "queries": sorted(v)} for k, v in sorted(by_presence.items())],
        "small": {**small, "queries": counts[small["url"]], "html_bytes": sizes[small["url"]]},
        "large": {**large, "queries": counts[large["url"]], "html_bytes": sizes[large["url"]]},
        "small_sql": q["sql"].get(small["url"], []),
        "large_sql": q["sql"].get(large["url"], []),
        "per_path": counts,
        "cold": sql_summary(bench, q["cold_counts"]),
        "small_cold_sql": q["cold_sql"].get(small["url"], []),
        "large_cold_sql": q["cold_sql"].get(large["url"], []),
    }
    for row in result["sql"]["by_presence"]:
        print(f"  body images {'yes' if row['has_body_images'] else 'no '} "
              f"authors {'yes' if row['has_authors'] else 'no '} "
              f"tags {'yes' if row['has_tags'] else 'no '}: {row['queries']} queries", flush=True)
    print(f"  cold fragment cache: {result['sql']['cold']['distinct_counts']} queries "
          f"(constant per kind of page: {result['sql']['cold']['constant_per_presence']})", flush=True)
    print(f"SQL queries per article page: {distinct} over {len(counts)} pages "
          f"(small: {small['blocks']} blocks/{small['images']} images -> {counts[small['url']]}, "
          f"large: {large['blocks']} blocks/{large['images']} images -> {counts[large['url']]})",
          flush=True)

    # The page the baselines serve: the median HTML size of the rotation.
    bench_sizes = sorted((sizes[p], p) for p in bench_paths)
    base_size, base_path = bench_sizes[len(bench_sizes) // 2]
    _, html = http_get(nashr_port, base_path)
    www = tmp / "www"
    www.mkdir()
    html_file = www / "article.html"
    html_file.write_bytes(html)
    result["html"] = {"baseline_path": base_path, "baseline_bytes": len(html),
                      "rotation_mean_bytes": round(statistics.mean(sizes[p] for p in bench_paths)),
                      "rotation_min_bytes": bench_sizes[0][0], "rotation_max_bytes": bench_sizes[-1][0]}

    # 3. wrk on Nashr -------------------------------------------------------
    # Warm: an unmeasured pass over the rotation first, so each worker has
    # every fragment of the rotation in its in-process cache.
    runs = {}
    result["fragment_warmup"] = wrk_unmeasured(port=nashr_port, paths=bench_paths, args=args, workdir=tmp,
                                               seconds=args.fragment_warmup, label="nashr-warmup")
    runs["nashr"] = wrk_run(port=nashr_port, paths=bench_paths, args=args, workdir=tmp, label="nashr")
    result["background_tasks"]["after_benchmark"] = tasks_by_status(db)
    procs.stop("nashr serve")

    # Cold: the same server with the fragment cache off
    # (NASHR_FRAGMENT_CACHE_SECONDS=0): every fragment rendered per request.
    cold_env = {**env, "NASHR_FRAGMENT_CACHE_SECONDS": "0"}
    print(f"starting nashr serve with NASHR_FRAGMENT_CACHE_SECONDS=0 on port {nashr_port}", flush=True)
    server = procs.start("nashr serve (cold)", [py, "-m", "nashr", "serve", "--no-demo", "--host", "127.0.0.1",
                                                "--port", str(nashr_port), "--workers", str(args.workers)],
                         env=cold_env, cwd=tmp, log=tmp / "serve-cold.log")
    wait_http_ok(nashr_port, bench_paths[0], proc=server, timeout=120)
    status, cold_html = http_get(nashr_port, base_path)
    if status != 200 or token_masked(cold_html) != token_masked(html):
        raise RuntimeError("the page without the fragment cache differs from the one with it")
    wrk_unmeasured(port=nashr_port, paths=bench_paths, args=args, workdir=tmp, seconds=2,
                   label="nashr-cold-warmup")
    runs["nashr_cold"] = wrk_run(port=nashr_port, paths=bench_paths, args=args, workdir=tmp,
                                 label="nashr-cold")
    procs.stop("nashr serve (cold)")

    # 4. Baseline A: nginx --------------------------------------------------
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF % {"user": "user root;" if os.geteuid() == 0 else "",
                                  "workers": args.workers, "tmp": tmp, "port": nginx_port, "www": www})
    nginx = procs.start("nginx", [nginx_bin(), "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")],
                        env=env, cwd=tmp, log=tmp / "nginx.log")
    wait_http_ok(nginx_port, base_path, proc=nginx, timeout=30)
    status, body = http_get(nginx_port, base_path)
    assert status == 200 and body == html, "nginx does not serve the same bytes"
    runs["nginx"] = wrk_run(port=nginx_port, paths=[base_path], args=args, workdir=tmp, label="nginx")
    procs.stop("nginx", sig=signal.SIGQUIT)

    # 5. Baseline B: minimal Django view under gunicorn ----------------------
    menv = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    menv["BENCH_HTML"] = str(html_file)
    minimal = procs.start("minimal django", [py, "-m", "gunicorn", "--chdir", str(BENCH_DIR),
                                             "minimal_django:make_application()",
                                             *gunicorn_args(port=minimal_port, workers=args.workers,
                                                            access_log=tmp / "minimal-access.log")],
                          env=menv, cwd=tmp, log=tmp / "minimal.log")
    wait_http_ok(minimal_port, base_path, proc=minimal, timeout=60)
    status, body = http_get(minimal_port, base_path)
    assert status == 200 and body == html, "minimal Django does not serve the same bytes"
    runs["minimal_django"] = wrk_run(port=minimal_port, paths=[base_path], args=args, workdir=tmp,
                                     label="minimal-django")
    procs.stop("minimal django")

    # 6. Results ---------------------------------------------------------
    base = runs["minimal_django"]["rps"]
    for r in runs.values():
        r["ratio_to_minimal_django"] = r["rps"] / base if base else None
    ratio = runs["nashr"]["ratio_to_minimal_django"]
    result["runs"] = runs
    result["goal"] = {
        "ratio_needed": GOAL_RATIO,
        "ratio": ratio,
        "throughput_met": ratio is not None and ratio >= GOAL_RATIO,
        "ratio_cold": runs["nashr_cold"]["ratio_to_minimal_django"],
        "throughput_met_cold": (runs["nashr_cold"]["ratio_to_minimal_django"] or 0) >= GOAL_RATIO,
        "sql_constant": result["sql"]["constant"],
        "sql_constant_per_presence": result["sql"]["constant_per_presence"],
        "no_errors": all(r["non_2xx"] == 0 and r["socket_errors"] == 0 for r in runs.values()),
        "nashr_non_2xx_zero": runs["nashr"]["non_2xx"] == 0 and runs["nashr_cold"]["non_2xx"] == 0,
    }
    result["finished_at"] = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
    return result


# --------------------------------------------------------------------------
# README


def fmt_int(n: float) -> str:
    return f"{n:,.0f}"


def write_outputs(result: dict, args) -> tuple[Path, Path]:
    RESULTS_DIR.mkdir(exist_ok=True)
    day = result["started_at"][:10]
    json_path = RESULTS_DIR / f"article_pages-{day}.json"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    readme_update(readme_text(result, json_path))
    return json_path, README


README_INTRO = """\
# Benchmarks

Benchmarks are not part of the test suite: nothing here runs under `pytest`.
Each script measures on this machine, stops everything it started, and writes
its numbers under `bench/results/` (and, for some, a section below).
"""
README_START = "<!-- article_pages.py: start (generated by the script; edits here are overwritten) -->"
README_END = "<!-- article_pages.py: end -->"


def readme_update(section: str) -> None:
    """Put ``section`` between this script's markers in bench/README.md,
    leaving the rest of the file (other benchmarks' sections) alone."""
    text = README.read_text(encoding="utf-8") if README.exists() else README_INTRO
    block = f"{README_START}\n{section.rstrip()}\n{README_END}"
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        text = head + block + rest.split(README_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def readme_text(r: dict, json_path: Path) -> str:
    """This script's section of bench/README.md for one run."""
    m, s, sql, runs, goal = r["machine"], r["settings"], r["sql"], r["runs"], r["goal"]
    seed, html = r["seeding"], r["html"]
    labels = {
        "nashr": f"Nashr, `nashr serve` (gunicorn, {s['workers']} workers), {sql['pages_counted']} article pages, "
                 "fragment cache warm",
        "nashr_cold": f"Nashr, same, fragment cache off (`NASHR_FRAGMENT_CACHE_SECONDS=0`)",
        "minimal_django": f"minimal Django view, same HTML (gunicorn, {s['workers']} workers)",
        "nginx": f"nginx, same HTML as a static file ({s['workers']} workers)",
    }
    rows = [f"| {labels[k]} | {fmt_int(runs[k]['rps'])} | {runs[k]['p50_ms']:.2f} | "
            f"{runs[k]['p99_ms']:.2f} | {runs[k]['ratio_to_minimal_django']:.1%} |"
            for k in ("nashr", "nashr_cold", "minimal_django", "nginx") if k in runs]
    small, large = sql["small"], sql["large"]
    if sql["constant"]:
        sql_text = (f"**{sql['distinct_counts'][0]}**, the same on each of the {sql['pages_counted']} "
                    f"benchmarked pages")
    else:
        kinds = []
        for row in sql["by_presence"]:
            kind = ", ".join(("with " if row[f"has_{k}"] else "without ") + label
                             for k, label in (("body_images", "body images"), ("authors", "authors"),
                                              ("tags", "tags")))
            kinds.append(f"{'/'.join(map(str, row['queries']))} {kind}")
        growth = ("and within each kind the same whatever the number of images, authors or tags"
                  if sql["constant_per_presence"] else "**and varying within a kind**")
        sql_text = (f"**{sql['distinct_counts'][0]}–{sql['distinct_counts'][-1]}** over the "
                    f"{sql['pages_counted']} benchmarked pages: {'; '.join(kinds)} — fixed per kind "
                    f"of page, {growth}")
    sql_text += (f". The smallest body ({small['blocks']} blocks, {small['images']} images, "
                 f"{small['authors']} authors, {small['tags']} tags) makes {small['queries']}, the "
                 f"largest ({large['blocks']} blocks, {large['images']} images, {large['authors']} "
                 f"authors, {large['tags']} tags) makes {large['queries']}. Counted with Django's test "
                 "`Client` and `CaptureQueriesContext` on the same database, after one warm-up request, "
                 "each page requested twice: first with the fragment cache emptied, then warm")
    cold = sql.get("cold")
    if cold:
        kinds = "; ".join(
            f"{'/'.join(map(str, row['queries']))} "
            + ", ".join(("with " if row[f"has_{k}"] else "without ") + label
                        for k, label in (("body_images", "body images"), ("authors", "authors"), ("tags", "tags")))
            for row in cold["by_presence"])
        sql_text += (f". With the fragments not cached yet (or the cache off): "
                     f"**{cold['distinct_counts'][0]}–{cold['distinct_counts'][-1]}** ({kinds}), "
                     + ("fixed per kind of page" if cold["constant_per_presence"] else "**varying within a kind**"))
    sql_text += "."
    bg = r["background_tasks"]
    if "run_while_seeding" in bg:
        bg_text = (f"seeding ran {sum(bg['run_while_seeding'].values()):,} tasks ("
                   + ", ".join(f"{n:,} {k.split('.')[-1]}" for k, n in bg["run_while_seeding"].items())
                   + ") in its own process as publishing made them (django-tasks' immediate backend), "
                   f"so {sum(bg['queued_after_seeding'].values()):,} were queued when `nashr serve` "
                   "started.")
    else:
        bg_text = (f"seeding queued {sum(bg['queued_after_seeding'].values()):,} tasks ("
                   + ", ".join(f"{n:,} {k.split('.')[-1]}" for k, n in bg["after_drain_by_task"].items())
                   + f"); `nashr serve`'s task worker ran them in {bg['drain_s']:.0f} s "
                   "(from the server's start), before anything was measured.")
    cpu = "; ".join(f"{k.replace('_', ' ')}: server {runs[k]['cpu_cores']['server']:.2f}, "
                    f"wrk {runs[k]['cpu_cores']['wrk']:.2f}, kernel interrupts (network) "
                    f"{runs[k]['cpu_cores']['interrupts']:.2f}, other processes "
                    f"{runs[k]['cpu_cores']['others']:.2f}" for k in runs)
    errors = "; ".join(f"{k.replace('_', ' ')}: {runs[k]['non_2xx']} non-2xx, "
                       f"{runs[k]['socket_errors']} socket errors" for k in runs)
    met = "**met**" if goal["throughput_met"] else "**not met**"
    if "ratio_cold" in goal:
        met_text = (f"{met} with the fragment cache warm: Nashr serves {goal['ratio']:.1%} of the minimal "
                    f"Django view. With the fragment cache off it serves {goal['ratio_cold']:.1%} "
                    f"({'met' if goal['throughput_met_cold'] else 'not met'} without it).")
    else:
        met_text = f"{met}; Nashr serves {goal['ratio']:.1%} of the minimal Django view."
    fw = r.get("fragment_warmup") or {}
    cmd = (f"python bench/article_pages.py --articles {s['articles']} --duration {s['duration_s']} "
           f"--connections {s['connections']}")
    rel_json = json_path.relative_to(REPO_DIR)
    lines = [
        "## Article pages (`article_pages.py`)",
        "",
        "Throughput and latency of article pages served by `nashr serve` with",
        f"{s['articles']:,} live articles in SQLite, beside two baselines measured in the",
        "same run with the same HTML:",
        "",
        "- **minimal Django**: `bench/minimal_django.py`, one Django view returning the",
        "  bytes of a Nashr article page (no database, no middleware), under gunicorn",
        "  with the same workers and options as `nashr serve`;",
        "- **nginx**: the same bytes as a static file.",
        "",
        "There is no page cache: every request is routed, checked for view",
        "restrictions and the gate, its article read from the database, its related",
        "articles and approved comments read from the database, and its page template",
        "rendered. What is cached (`nashr/articles/fragments.py`, in each worker's",
        "in-process cache by default) is HTML that depends only on the published",
        "article, the site's settings and what was read for this request: the head's",
        "meta tags and JSON-LD; the article header, lead image and the body the reader",
        "may see (full and teaser are separate entries); the article footer (source",
        "note, tags, share links, author boxes); the page's header, navigation and",
        "footer; the related-articles list and the comment section, each under a key",
        "made of the rows just read (the comment form's token is put in per request).",
        "The gate and the header's sign-in link are rendered on every request; whether",
        "to show the invitation to subscribe is decided per request (its markup, the",
        "same for everyone, is kept per process).",
        "",
        f"wrk rotates through {sql['pages_counted']} article paths (percent-encoded Arabic URLs,",
        "from `page.url`); the baselines answer one of them. Every article is requested",
        "once before measuring (images get their renditions on first view) and must",
        "answer 200. **Fragment cache warm**: before the measured run, an unmeasured",
        f"{fw.get('seconds', '?')}-second wrk pass over the same paths ({fmt_int(fw.get('requests', 0))} requests, about",
        f"{fw.get('requests_per_path', '?')} per path over the {s['workers']} workers) has filled each worker's cache, so the",
        "measured requests are fragment-cache hits. **Fragment cache off**: the same",
        "server restarted with `NASHR_FRAGMENT_CACHE_SECONDS=0`, every fragment",
        "rendered on every request (what the first reader of a new revision gets).",
        "",
        "Run it from the repository root with the project's virtualenv active; it",
        "needs `wrk` and `nginx` and takes a few minutes, most of it seeding:",
        "",
        "```sh",
        "python bench/article_pages.py [--articles 1000] [--duration 10] [--connections 16]",
        "```",
        "",
        "It makes a fresh `NASHR_DATA_DIR` in a temporary directory, runs",
        "`python -m nashr migrate`, creates the demo publication from",
        "`nashr/site/demo/content.json` (waiting up to 15 minutes for that file) and",
        "publishes copies of its articles through Wagtail (`save_revision().publish()`)",
        "until `--articles` are live, then starts",
        f"`python -m nashr serve --no-demo --workers {s['workers']}` and runs wrk",
        f"(`-t {s['threads']} -c {s['connections']} -d {s['duration_s']}s --latency`) against it,",
        "restarts it with the fragment cache off and runs wrk again, then against",
        "nginx, then against the minimal Django view. The background tasks",
        "publishing makes (search and reference index updates) run in the seeding",
        "process as they are made (`NASHR_TASKS_BACKEND` set to django-tasks'",
        "immediate backend), so the indexes are complete before `nashr serve` starts;",
        "the script still waits for its task worker to empty the queue, if anything",
        "is in it, before measuring. wrk, the servers and,",
        "for Nashr, its task worker and scheduler share the machine's cores; before",
        "each run the script waits (`--quiet-wait`, default 120 s) for other processes",
        f"to go quiet, repeats a run (`--retries`, default 2) during which they used more",
        f"than {OTHERS_MAX} cores and keeps the quietest; the CPU line below says what else",
        "ran during each kept run.",
        "Other options: `--threads`, `--workers`, `--paths` (article paths in the",
        "rotation), `--fragment-warmup` (seconds of the unmeasured pass, default 5),",
        "`--no-write` (print only), `--keep-tmp` (keep logs and the database),",
        "`--readme-from results/….json` (rewrite this section from saved numbers).",
        "",
        "### Results",
        "",
        f"{r['started_at'][:16].replace('T', ' ')} (UTC{r['started_at'][19:]}), `{cmd}`, at commit "
        f"`{m['git_commit']}`" + (f" with {m['git_uncommitted_in_nashr']} uncommitted files in `nashr/`"
                                  if m["git_uncommitted_in_nashr"] else "") + ".",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']} RAM, Linux {m['kernel']};",
        f"Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, gunicorn {m['gunicorn']},",
        f"{m['nginx']}, {m['wrk']}.",
        "",
        "| server | requests/s | p50 ms | p99 ms | ratio to minimal Django |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"- **Goal** (article pages, no page cache, at ≥ {goal['ratio_needed']:.0%} of the minimal-Django",
        f"  baseline): {met_text}",
        f"- **SQL queries per article page**: {sql_text}",
        f"- **Seeding**: {seed['live_articles']:,} live articles in {seed['seed_process_s']:.1f} s",
        f"  (`demo_create` {seed['demo_create_s']:.1f} s with {seed['demo_articles']} articles, then",
        f"  {seed['copies']:,} copies in {seed['copies_s']:.1f} s, {seed['copies_per_s']} articles/s"
        + (", background tasks included" if "run_while_seeding" in bg else "") + ");",
        f"  `migrate` {seed['migrate_s']:.1f} s. Warm-up (first view of every article, renditions",
        f"  made): {r['warmup']['seconds']:.1f} s.",
        f"- **Background tasks**: {bg_text}",
        f"- **HTML**: the baselines serve {html['baseline_bytes']:,} bytes, the median page of the",
        f"  rotation; Nashr's pages in the rotation are {html['rotation_min_bytes']:,}–"
        f"{html['rotation_max_bytes']:,} bytes (mean {html['rotation_mean_bytes']:,}).",
        f"- **CPU during each run** (cores busy, of {m['nproc']}): {cpu}.",
        f"- **Errors**: {errors}.",
        "",
        f"Raw numbers, wrk's output and the SQL of the smallest and largest page:",
        f"[`{rel_json}`]({rel_json.relative_to('bench')}).",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------


def parse_args(argv: list[str]):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=1000, help="live articles to seed (default 1000)")
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=2,
                   help="gunicorn workers for Nashr and minimal Django, nginx workers (default 2)")
    p.add_argument("--paths", type=int, default=200, help="article paths wrk rotates through (default 200)")
    p.add_argument("--fragment-warmup", type=int, default=5,
                   help="seconds of unmeasured wrk over the rotation before the warm run (default 5)")
    p.add_argument("--content", default=str(DEFAULT_CONTENT), help="demo content.json")
    p.add_argument("--content-wait", type=float, default=900,
                   help="seconds to wait for content.json to appear (default 900)")
    p.add_argument("--quiet-wait", type=float, default=120,
                   help="before each wrk run, wait up to this many seconds for other processes "
                        "on the machine to go quiet (0: do not wait; default 120)")
    p.add_argument("--retries", type=int, default=2,
                   help="repeat a wrk run up to this many times when other processes used "
                        f"more than {OTHERS_MAX} cores during it (default 2)")
    p.add_argument("--drain-timeout", type=float, default=1800,
                   help="seconds to wait for the task worker to run the tasks seeding queued")
    p.add_argument("--readme-from", metavar="JSON",
                   help="only rewrite this script's section of bench/README.md from a results file")
    p.add_argument("--no-write", action="store_true", help="do not write README.md and results/")
    p.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory (logs)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_seed"]:
        seed_main(argv[1:])
        return 0
    if argv[:1] == ["_queries"]:
        queries_main(argv[1:])
        return 0
    args = parse_args(argv)
    if args.readme_from:
        json_path = Path(args.readme_from).resolve()
        readme_update(readme_text(json.loads(json_path.read_text(encoding="utf-8")), json_path))
        print(f"wrote {README.relative_to(REPO_DIR)} from {json_path.relative_to(REPO_DIR)}")
        return 0

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; everything started was stopped", file=sys.stderr)
        return 130
    print()
    print(readme_text(result, RESULTS_DIR / f"article_pages-{result['started_at'][:10]}.json")
          .split("### Results", 1)[1])
    if not args.no_write:
        json_path, readme = write_outputs(result, args)
        print(f"wrote {readme.relative_to(REPO_DIR)} and {json_path.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
