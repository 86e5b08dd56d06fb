#!/usr/bin/env python3
"""WordPress import speed and memory: a generated WXR export of N posts with
comments, imported by ``nashr import-wordpress`` into a fresh SQLite site.

    python bench/wordpress_import.py [--posts 50000] [--comments 2] [--no-write] [--keep-tmp]

Run it from the repository root with the project's virtualenv active. What
it does (every process it starts is stopped and the temporary directory
removed at the end):

1. **Export.** Writes, item by item (never holding the file in memory), a
   WXR 1.2 export: 20 authors with Arabic names, 24 categories (8 top-level,
   16 nested), 300 tags, ``--posts`` published posts (Arabic classic-editor
   text of ~250 words in 6 paragraphs with a heading and a list, 1 category,
   3 tags, percent-encoded Arabic slugs, date-based permalinks) each with
   ``--comments`` comments (every other one a threaded reply). No media:
   the goal is stated without media.
2. **Reader alone.** ``python -c`` iterating :class:`WxrReader` over the
   file: records/s and the process's peak RSS (``ru_maxrss`` from
   ``wait4``) — the parsing part, and its memory, on its own.
3. **Import.** ``python -m nashr migrate`` on a fresh ``NASHR_DATA_DIR``,
   then ``python -m nashr import-wordpress FILE --no-progress``: wall time,
   posts/s, and peak RSS (``ru_maxrss``), with ``VmRSS`` sampled every
   0.5 s to show whether memory grows with the number of posts.
   New published posts are written in batches (``nashr/importers/wordpress/bulk.py``)
   and nothing is queued per post; the time counted includes the indexes the
   command writes with each batch (search index, Wagtail's admin search and
   reference index), which the command's report breaks down. The new
   articles' related-articles lists need the whole index: the command
   queues them for the task worker (as publishing does), in tasks of 1,000
   articles.
3b. **The worker.** ``python -m nashr db_worker --batch`` (what ``nashr serve``
   runs, here until the queue is empty): its wall time and peak RSS, the
   number of related lists stored, and the rate until the last list.
4. **Baseline, same run.** A separate export of ``min(1000, --posts)``
   posts (same generator) imported into two more fresh sites: once as in
   step 3, once with ``--page-api`` (every post through Wagtail's page API,
   the importer's earlier way): the ratio of the two rates.

It runs under ``nice -n 10`` and writes ``bench/results/wordpress_import-DATE.json``
and its section of ``bench/README.md`` (between its own markers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
README = BENCH_DIR / "README.md"
README_START = "<!-- wordpress-import:start -->"
README_END = "<!-- wordpress-import:end -->"
GOAL_RSS_MB = 300
GOAL_POSTS_PER_S = 200

WORDS = ("الحكومة المدينة السوق الاقتصاد المواطنين الشباب التعليم الصحة المياه الكهرباء الطريق الجديد "
         "المشروع الوزارة البلدية الميزانية الأسعار العمال الطلاب المدارس المستشفى الصحفيين الثقافة "
         "المعرض الكتاب الفيلم المسرح الرياضة الفريق المباراة الموسم أعلن قال أكد أضاف أشار بحسب "
         "خلال بعد قبل منذ حتى على في من إلى عن مع هذا هذه التي الذي").split()
NAMES = ["سارة خليل", "عمر الحسن", "منى علي", "يوسف داود", "ليلى منصور", "خالد سعيد", "هدى ناصر",
         "رامي عيسى", "نور الهدى", "سامي فارس"]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def write_export(path: Path, *, posts: int, comments: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    ns = "http://wordpress.org/export/1.2/"
    start = datetime(2020, 1, 1, 6, 0, tzinfo=timezone.utc)
    counts = {"posts": posts, "comments": 0}
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:excerpt="{ns}excerpt/" '
                 f'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                 f'xmlns:wp="{ns}">\n<channel>\n<title>مدونة القياس</title>\n<link>https://bench.example</link>\n'
                 "<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_blog_url>https://bench.example</wp:base_blog_url>\n")
        for i in range(20):
            fh.write(f"<wp:author><wp:author_login>writer{i}</wp:author_login><wp:author_display_name>"
                     f"{cdata(NAMES[i % len(NAMES)] + f' {i}')}</wp:author_display_name></wp:author>\n")
        for c in range(24):
            parent = "" if c < 8 else f"cat{c % 8}"
            fh.write(f"<wp:category><wp:term_id>{c + 1}</wp:term_id><wp:category_nicename>cat{c}</wp:category_nicename>"
                     f"<wp:category_parent>{parent}</wp:category_parent><wp:cat_name>{cdata(f'قسم {c}')}</wp:cat_name>"
                     "</wp:category>\n")
        for t in range(300):
            fh.write(f"<wp:tag><wp:term_id>{1000 + t}</wp:term_id><wp:tag_slug>{quote(f'وسم-{t}').lower()}</wp:tag_slug>"
                     f"<wp:tag_name>{cdata(f'وسم {t}')}</wp:tag_name></wp:tag>\n")
        comment_id = 1
        for p in range(posts):
            post_id = 10_000 + p
            date = start + timedelta(minutes=37 * p)
            title = f"{sentence(rng, 6)[:-1]} {p}"
            slug = quote(title.replace(" ", "-")).lower()
            body = "\n\n".join(
                [sentence(rng, 40), "<h2>" + sentence(rng, 4)[:-1] + "</h2>", sentence(rng, 45),
                 "<ul>\n<li>" + sentence(rng, 5) + "</li>\n<li>" + sentence(rng, 5) + "</li>\n</ul>",
                 sentence(rng, 50) + "\n" + sentence(rng, 30), sentence(rng, 40)])
            cat = rng.randrange(24)
            tags = rng.sample(range(300), 3)
            item = [
                "<item>", f"<title>{cdata(title)}</title>",
                f"<link>https://bench.example/{date:%Y/%m/%d}/{slug}/</link>",
                f"<dc:creator>writer{p % 20}</dc:creator>",
                f'<guid isPermaLink="false">https://bench.example/?p={post_id}</guid>',
                f"<content:encoded>{cdata(body)}</content:encoded>",
                f"<excerpt:encoded>{cdata(sentence(rng, 15))}</excerpt:encoded>",
                f"<wp:post_id>{post_id}</wp:post_id>",
                f"<wp:post_date>{date + timedelta(hours=3):%Y-%m-%d %H:%M:%S}</wp:post_date>",
                f"<wp:post_date_gmt>{date:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>",
                "<wp:comment_status>open</wp:comment_status>", f"<wp:post_name>{slug}</wp:post_name>",
                "<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>",
                "<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>",
                f'<category domain="category" nicename="cat{cat}">{cdata(f"قسم {cat}")}</category>',
            ]
            item += [f'<category domain="post_tag" nicename="{quote(f"وسم-{t}").lower()}">{cdata(f"وسم {t}")}</category>'
                     for t in tags]
            for c in range(comments):
                parent = comment_id - 1 if c % 2 else 0
                item.append(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{cdata(rng.choice(NAMES))}</wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id}@example.com</wp:comment_author_email>"
                    f"<wp:comment_date_gmt>{date + timedelta(hours=c + 1):%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{cdata(sentence(rng, 20))}</wp:comment_content>"
                    f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent>"
                    "</wp:comment>")
                comment_id += 1
                counts["comments"] += 1
            item.append("</item>\n")
            fh.write("".join(item))
        fh.write("</channel>\n</rss>\n")
    counts["bytes"] = path.stat().st_size
    return counts


def run_measured(cmd: list[str], *, env: dict, sample: bool) -> dict:
    """Run ``cmd`` niced; wall time, output and VmRSS samples (MB)."""
    started = time.monotonic()
    proc = subprocess.Popen(["nice", "-n", "10", *cmd], env=env, cwd=REPO_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def rss_mb(pid: int) -> tuple[int, int, int]:
        """(VmRSS, RssAnon, RssFile) in MB of the largest of ``pid`` and its
        descendants. RssFile includes SQLite's memory-mapped database
        (``PRAGMA mmap_size``, 128 MB in Nashr's settings)."""
        best = (0, 0, 0)
        try:
            fields = {}
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    fields[key] = int(value.split()[0]) // 1024
            best = (fields.get("VmRSS", 0), fields.get("RssAnon", 0), fields.get("RssFile", 0))
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            return best
        return max([best] + [rss_mb(int(c)) for c in children])

    def poll():
        while not done.is_set():
            samples.append((round(time.monotonic() - started, 1), *rss_mb(proc.pid)))
            done.wait(0.5)

    poller = threading.Thread(target=poll, daemon=True)
    if sample:
        poller.start()
    out, err = proc.communicate()
    elapsed = time.monotonic() - started
    done.set()
    return {"seconds": round(elapsed, 2), "returncode": proc.returncode, "stdout": out, "stderr": err[-4000:],
            "samples": samples}


def peak_rss_mb(cmd: list[str], *, env: dict) -> tuple[dict, float]:
    """Run ``cmd`` as a child of a tiny wrapper reporting its ``ru_maxrss``."""
    wrapper = ("import os,subprocess,sys,resource,json;"
               "p=subprocess.run(sys.argv[1:]);"
               "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
               "sys.stderr.write('\\nPEAK_RSS_KB=%d\\n'%r);sys.exit(p.returncode)")
    result = run_measured([sys.executable, "-c", wrapper, *cmd], env=env, sample=True)
    peak = 0.0
    for line in result["stderr"].splitlines():
        if line.startswith("PEAK_RSS_KB="):
            peak = int(line.split("=")[1]) / 1024
    return result, round(peak, 1)


def readme_section(r: dict) -> str:
    """This script's section of bench/README.md for one run's results."""
    imp, rd, ex = r["import"], r["reader"], r["export"]
    posts = r["args"]["posts"]
    rss_ok = imp["peak_rss_mb"] < GOAL_RSS_MB
    rate_ok = imp["posts_per_s"] >= GOAL_POSTS_PER_S
    hours_50k = 50_000 / imp["posts_per_s"] / 3600
    rb, bl, wk = imp.get("rebuild", {}), r.get("baseline", {}), r.get("worker", {})
    # earlier results files of this script (the rate before the batches, for one)
    previous = []
    for path in sorted((BENCH_DIR / "results").glob("wordpress_import-*.json")):
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("date") != r["date"]:
            previous.append(f"{old['import']['posts_per_s']} posts/s for {old['args']['posts']:,} posts on "
                            f"{old['date']} at `{old.get('commit', '?')}`")
    previous = (" Earlier results files of this script: " + "; ".join(previous) + ".") if previous else ""
    BULK_NOTE = ("a batch of 200 at a time (`nashr/importers/wordpress/bulk.py`: tree paths, page and "
                 "article rows, revisions, history, tags, bylines, mapping rows, redirects and comments "
                 "in a few statements per table)")
    quarters = "; ".join(f"{q[0]} MB ({q[1]} anonymous + {q[2]} file-backed)" if isinstance(q, (list, tuple)) else f"{q} MB"
                         for q in imp["rss_mb_at_quarters"])
    report = "\n".join(f"    {line}" for line in imp["report"])
    earlier = "".join(f"; {e['posts']:,} posts: {e['posts_per_s']} posts/s ({e['date']})"
                      for e in r.get("earlier_runs", []))
    earlier = f" (other runs of this script{earlier})" if earlier else ""
    return f"""## WordPress import (`wordpress_import.py`)

`nashr import-wordpress` on a generated WXR export (Arabic text, no media):
{posts:,} published posts of ~250 words in 6 paragraphs with a heading and a
list, 3 tags and a category each, percent-encoded Arabic slugs, and
{ex["comments"]:,} comments (every other one a threaded reply); 20 authors,
24 categories (16 nested), 300 tags — {ex["bytes"] / 1e6:.1f} MB. Into a fresh
SQLite site (`migrate` first), niced, on this machine. Run it from the
repository root with the project's virtualenv active:

```sh
python bench/wordpress_import.py [--posts 50000] [--comments 2]
```

### Results

{r["date"]} (UTC), `python bench/wordpress_import.py --posts {posts} --comments {r["args"]["comments"]}`,
at commit `{r["commit"]}`; {r["machine"]["cores"]} cores, Python {r["machine"]["python"]}; load average
(1, 5, 15 min) {r["machine"].get("load_average_at_start", "—")} at the start and
{r["machine"].get("load_average_at_end", "—")} at the end (the benchmark runs niced: other work slows it).

| what | time | rate | peak RSS |
|---|---:|---:|---:|
| reading the file alone (`WxrReader`, every record) | {rd["seconds"]} s | {rd["records_per_s"]:,} records/s | {rd["peak_rss_mb"]} MB |
| … the same on a file with a tenth of the posts | | | {rd.get("peak_rss_mb_tenth", "—")} MB |
| … a process that only sets Django up and imports the reader | | | {rd.get("peak_rss_mb_django_only", "—")} MB |
| the import (`nashr import-wordpress`) | {imp["seconds"]} s | **{imp["posts_per_s"]} posts/s** ({imp["items_per_s"]} posts + comments/s) | **{imp["peak_rss_mb"]} MB** |
| then the task worker, the related lists the import queued (`nashr db_worker --batch`) | {wk.get("seconds", "—")} s | {wk.get("articles_with_lists", "—"):,} lists stored | {wk.get("peak_rss_mb", "—")} MB |
| the import and the worker, until the last related list | {round(imp["seconds"] + wk.get("seconds", 0), 1)} s | {wk.get("posts_per_s_until_last_list", "—")} posts/s | |

- **Memory goal** (peak RSS < {GOAL_RSS_MB} MB whatever the file size): **{"met" if rss_ok else "not met"}**
  ({imp["peak_rss_mb"]} MB; of it at most {imp.get("peak_anon_mb", "—")} MB anonymous memory and
  {imp.get("peak_file_mb", "—")} MB file-backed pages — the program and its libraries: the import
  reads SQLite without mapping the database into the process, `PRAGMA
  mmap_size=0` on its own connection, where the site's setting maps up to
  128 MB). Resident size at a quarter, half, three quarters and the end of
  the import: {quarters}.
  The reader keeps one read-ahead buffer of the file (`reader.retained_max`,
  tested; the reader alone peaks at the same size for a tenth of the file),
  the importer keeps per-run maps of authors, terms and attachments, the
  ids of the export's items and of the posts and comments it mapped (a few
  dozen bytes per item), one batch of 200 posts waiting to be written, and
  commits every 200 records. The task worker, computing the related lists
  after the import, keeps up to 3,000,000 terms of article vectors (8 bytes
  a term, `RELATED_VECTOR_TERMS_KEPT`) with each article's section, date
  and tags, capped whatever the file size; while it computes them it too
  reads SQLite without mapping the database (`nashr.site.sqlite`).
- **Speed goal** (≥ {GOAL_POSTS_PER_S} posts/s without media, the import command):
  **{"met" if rate_ok else "not met"}**: {imp["posts_per_s"]} posts/s ({imp["seconds"]} s for {posts:,} posts).
  New published posts are written {BULK_NOTE}; drafts, scheduled posts, pages and updates of
  posts imported before still take Wagtail's page API. With each batch, from the pages still in
  memory, the command writes what publishing would have written or queued per article:
  Nashr's search index, Wagtail's admin search and reference index
  ({rb.get("index_seconds", "—")} s in all; {rb.get("line", "—")}). The related-articles lists need
  the whole search index: like publishing, which computes an article's list in a background task,
  the command queues them for the task worker once the last batch is written
  ({rb.get("related_line", "—")}). When the command ends every article is live, searchable and
  redirected; the related box under an article stays empty until the worker has done its list.
  The worker took **{wk.get("seconds", "—")} s** for them ({wk.get("articles_with_lists", "—"):,} articles
  with a list, {wk.get("tasks_not_successful", "—")} tasks not successful): import and worker together
  **{wk.get("posts_per_s_until_last_list", "—")} posts/s** until the last list. Each list costs one
  look-up in the full-text index whose cost grows with the index (an OR query
  of the article's 24 heaviest terms, bm25-ranked; this export's 70-word vocabulary
  makes every term frequent, the worst case), so the worker's time per article grows with the site.
  Same-run baseline on a {bl.get("posts", 0):,}-post export (small, so start-up and the
  first pass weigh more): {bl.get("bulk", {}).get("posts_per_s", "—")} posts/s with batches and indexes,
  against {bl.get("page_api", {}).get("posts_per_s", "—")} posts/s with `--page-api` (every post through
  `add_child`, `save_revision()`, `publish()`, which queues the index tasks and
  runs none of them): **×{bl.get("ratio", "—")}**.{previous} Parsing is
  not the limit ({rd["records_per_s"]:,} records/s). At this rate 50,000 posts
  would take about {hours_50k * 60:.0f} minutes — {"a measurement" if posts >= 50_000 else f"an extrapolation from {posts:,} posts, not a measurement; the rate falls as the database and the search index grow"}{earlier}.
- The report of the run:

{report}

Raw numbers: `bench/results/wordpress_import-{r["date"][:10]}.json`.
"""


def readme_write(section: str) -> None:
    block = f"{README_START}\n{section.rstrip()}\n{README_END}"
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        text = head + block + rest.split(README_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--posts", type=int, default=50_000)
    p.add_argument("--comments", type=int, default=2, help="comments per post")
    p.add_argument("--no-write", action="store_true", help="print only; no README or results file")
    p.add_argument("--keep-tmp", action="store_true")
    p.add_argument("--readme-from", metavar="JSON", help="only rewrite the README section from a results file")
    args = p.parse_args()
    if args.readme_from:
        readme_write(readme_section(json.loads(Path(args.readme_from).read_text(encoding="utf-8"))))
        print(f"wrote {README}")
        return

    load_at_start = [round(x, 2) for x in os.getloadavg()]  # other work on the machine slows this niced run
    tmp = Path(tempfile.mkdtemp(prefix="nashr-wp-bench-"))
    try:
        export = tmp / "export.xml"
        t0 = time.monotonic()
        counts = write_export(export, posts=args.posts, comments=args.comments)
        gen_s = time.monotonic() - t0
        print(f"export: {counts['posts']} posts, {counts['comments']} comments, "
              f"{counts['bytes'] / 1e6:.1f} MB in {gen_s:.1f} s")
        env = {**os.environ, "NASHR_DATA_DIR": str(tmp / "data"), "DJANGO_SETTINGS_MODULE": "nashr.site.settings"}

        reader_code = ("import sys,time,django;django.setup();"
                       "from nashr.importers.wordpress.reader import WxrReader;"
                       "from nashr.importers.wordpress.report import ImportReport;"
                       "t=time.monotonic();n=sum(1 for _ in WxrReader(sys.argv[1],report=ImportReport()));"
                       "print(n, round(time.monotonic()-t,2))")
        result, reader_rss = peak_rss_mb([sys.executable, "-c", reader_code, str(export)], env=env)
        records, reader_s = result["stdout"].split()
        reader = {"records": int(records), "seconds": float(reader_s), "peak_rss_mb": reader_rss,
                  "records_per_s": round(int(records) / float(reader_s))}
        # the same on a tenth of the posts, and Django alone: the reader's
        # memory should not depend on the file's size
        small = tmp / "small.xml"
        write_export(small, posts=max(1, args.posts // 10), comments=args.comments)
        _, reader["peak_rss_mb_tenth"] = peak_rss_mb([sys.executable, "-c", reader_code, str(small)], env=env)
        _, reader["peak_rss_mb_django_only"] = peak_rss_mb(
            [sys.executable, "-c", "import django;django.setup();import nashr.importers.wordpress.reader"], env=env)
        small.unlink()
        print(f"reader: {reader}")

        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "nashr", "migrate", "-v0"], env=env, cwd=REPO_DIR, check=True)
        migrate_s = time.monotonic() - t0
        result, import_rss = peak_rss_mb([sys.executable, "-m", "nashr", "import-wordpress", str(export),
                                          "--no-progress"], env=env)
        if result["returncode"] != 0:
            print(result["stdout"][-3000:], result["stderr"], sep="\n")
            raise SystemExit("import failed")
        report = [line for line in result["stdout"].splitlines() if "(" in line and ")" in line
                  and not line.startswith(("الفهارس", "المقالات ذات الصلة"))]
        rebuild = {}
        for line in result["stdout"].splitlines():
            if line.startswith("الفهارس"):  # the indexes, timed by the command
                rebuild["line"] = line.split(" — ", 1)[1]
                rebuild["index_seconds"] = round(sum(float(x) for x in re.findall(r"([0-9.]+) s\b", line)), 1)
            if line.startswith("المقالات ذات الصلة"):  # the related lists, queued for the worker
                rebuild["related_line"] = line.split(" — ", 1)[1]
        # 3b. the task worker runs what the import queued (the related lists)
        wres, worker_rss = peak_rss_mb([sys.executable, "-m", "nashr", "db_worker", "--batch"], env=env)
        if wres["returncode"] != 0:
            print(wres["stdout"][-3000:], wres["stderr"], sep="\n")
            raise SystemExit("task worker failed")
        count_code = ("import django;django.setup();from nashr.search.models import RelatedArticle as R;"
                      "from django_tasks_db.models import DBTaskResult as T;"
                      "print(R.objects.values('article_id').distinct().count(),"
                      "T.objects.exclude(status='SUCCESSFUL').count())")
        lists, unfinished = subprocess.run([sys.executable, "-c", count_code], env=env, cwd=REPO_DIR, check=True,
                                           capture_output=True, text=True).stdout.split()
        worker = {"seconds": wres["seconds"], "peak_rss_mb": worker_rss, "articles_with_lists": int(lists),
                  "tasks_not_successful": int(unfinished),
                  "posts_per_s_until_last_list": round(args.posts / (result["seconds"] + wres["seconds"]), 1)}
        print(f"worker: {worker}")
        samples = result["samples"]
        # the last samples are the process winding down; the quarters are of the import's run
        quarter = [samples[int(len(samples) * f) - 1][1:] for f in (0.25, 0.5, 0.75, 0.98)] if samples else []
        imported = {
            "seconds": result["seconds"], "peak_rss_mb": import_rss,
            "posts_per_s": round(args.posts / result["seconds"], 1),
            "items_per_s": round((args.posts + counts["comments"]) / result["seconds"], 1),
            "rss_mb_at_quarters": quarter, "report": report, "migrate_seconds": round(migrate_s, 1),
            "peak_anon_mb": max((x[2] for x in samples), default=0),
            "peak_file_mb": max((x[3] for x in samples), default=0),
            "rebuild": rebuild,
        }
        print(f"import: {json.dumps({k: v for k, v in imported.items() if k != 'report'})}")
        print("\n".join(report))
        # 4. the same-run baseline: a small export both ways
        base_posts = min(1000, args.posts)
        small = tmp / "baseline.xml"
        write_export(small, posts=base_posts, comments=args.comments)
        baseline = {"posts": base_posts}
        for name, extra in (("bulk", []), ("page_api", ["--page-api"])):
            benv = {**env, "NASHR_DATA_DIR": str(tmp / f"data-{name}")}
            subprocess.run([sys.executable, "-m", "nashr", "migrate", "-v0"], env=benv, cwd=REPO_DIR, check=True)
            res = run_measured([sys.executable, "-m", "nashr", "import-wordpress", str(small),
                                "--no-progress", *extra], env=benv, sample=False)
            if res["returncode"] != 0:
                print(res["stdout"][-3000:], res["stderr"], sep="\n")
                raise SystemExit(f"baseline import ({name}) failed")
            baseline[name] = {"seconds": res["seconds"], "posts_per_s": round(base_posts / res["seconds"], 1)}
            shutil.rmtree(tmp / f"data-{name}", ignore_errors=True)
        baseline["ratio"] = round(baseline["bulk"]["posts_per_s"] / baseline["page_api"]["posts_per_s"], 1)
        small.unlink()
        print(f"baseline: {baseline}")
        results = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"), "args": vars(args),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True,
                                     text=True).stdout.strip() + (
                " + uncommitted changes" if subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=REPO_DIR)
                .returncode else ""),
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release(),
                        "load_average_at_start": load_at_start, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
            "export": {**counts, "generate_seconds": round(gen_s, 1)}, "reader": reader, "import": imported,
            "worker": worker,
            "baseline": baseline,
        }
        if not args.no_write:
            out = BENCH_DIR / "results" / f"wordpress_import-{results['date'][:10]}.json"
            out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
            readme_write(readme_section(results))
            print(f"wrote {out.relative_to(REPO_DIR)} and bench/README.md")
    finally:
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
