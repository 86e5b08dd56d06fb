"""``nashr import-wordpress``: options, exit status, the printed report, and
``--fetch-media`` against a real HTTP server on loopback."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nashr.articles.images import NewsImage
from nashr.articles.models import ArticlePage, Author
from nashr.importers.wordpress import media

from .helpers import REPO, WXR, command, image_bytes, make_uploads

pytestmark = pytest.mark.django_db

SITE = WXR / "arabic_site.xml"


def test_command_prints_counts_and_every_warning_with_id_and_line(tmp_path):
    status, out, err = command(SITE, "--uploads", make_uploads(tmp_path))
    assert status == 0
    assert "تقرير الاستيراد — import report" in out
    post_row = next(line for line in out.splitlines() if "(post)" in line)
    assert post_row.split()[-4:] == ["7", "0", "0", "1"]
    assert "arabic_site.xml: [attachment#102 · سطر 90] لم تُستورد الصورة: الملف غير موجود في مجلد الرفع" in out
    assert "arabic_site.xml: [post#200 · سطر 115] رمز قصير غير معروف [contact-form-7] تُرك نصًّا" in out
    # the indexes written with the batches, and the related lists queued for the worker
    lines = out.splitlines()
    indexes = next(line for line in lines if line.startswith("الفهارس — indexes, for 3 new articles:"))
    assert "search index" in indexes and "admin search" in indexes and "reference index" in indexes
    assert ("المقالات ذات الصلة — related articles: the lists of 3 new articles queued for the task worker "
            "(1 task); `nashr serve` runs them, or run them now with `nashr db_worker --batch`") in lines
    status, out, _ = command(SITE, "--uploads", tmp_path / "uploads")
    assert status == 0
    post_row = next(line for line in out.splitlines() if "(post)" in line)
    assert post_row.split()[-4:] == ["0", "0", "7", "1"]  # second run: all unchanged
    assert not any(line.startswith(("الفهارس", "المقالات ذات الصلة")) for line in out.splitlines())  # no new article


def test_dry_run_option(tmp_path):
    status, out, _ = command(SITE, "--dry-run", "--uploads", make_uploads(tmp_path))
    assert status == 0 and "dry run, nothing stored" in out
    assert not ArticlePage.objects.exists() and not NewsImage.objects.exists()


def test_exit_status_is_non_zero_only_when_nothing_was_imported(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_text('<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
                     "<wp:wxr_version>1.2</wp:wxr_version></channel></rss>")
    status, _, err = command(empty)
    assert status == 1 and "لم يُستورد شيء" in err
    status, _, err = command(tmp_path / "nope.xml")
    assert status == 1 and "غير موجود" in err
    # photos missing is not failure: the posts still came in
    status, out, _ = command(SITE)
    assert status == 0 and "لا مصدر لملفات الصور" in out


def test_author_map(tmp_path):
    existing = Author.objects.create(name="سارة خليل الحداد", slug="sara-k")
    author_map = tmp_path / "authors.csv"
    author_map.write_text("wordpress_login,nashr_author\nsara,sara-k\nomar,عمر الكاتب\n", encoding="utf-8")
    status, _, _ = command(SITE, "--author-map", author_map)
    assert status == 0
    assert list(ArticlePage.objects.get(title="الخبر الأول").authors.values_list("author_id", flat=True)) == [existing.pk]
    assert ArticlePage.objects.get(title="خبر مجدول").authors.get().author.name == "عمر الكاتب"
    bad = tmp_path / "bad.csv"
    bad.write_text("sara\n", encoding="utf-8")
    status, _, err = command(SITE, "--author-map", bad)
    assert status == 1 and "عمودين" in err


def test_the_nashr_command_runs_with_a_progress_bar_on_stderr(tmp_path):
    env = {"NASHR_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    nashr = [sys.executable, "-m", "nashr.site.cli"]
    subprocess.run(nashr + ["migrate", "-v0"], env=env, cwd=REPO, check=True, timeout=300)
    result = subprocess.run(nashr + ["import-wordpress", str(SITE)], env=env, cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "2/2" in result.stderr and "100%" in result.stderr  # tqdm on stderr
    assert "import report" in result.stdout and "2/2" not in result.stdout


# --- --fetch-media over real HTTP ------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes, float]] = {}

    def do_GET(self):  # noqa: N802
        status, ctype, body, delay = self.routes.get(self.path, (404, "text/html", b"not found", 0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def media_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def site_on(base: str, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(SITE.read_text(encoding="utf-8").replace("https://sabah.example/wp-content/uploads",
                                                             base + "/wp-content/uploads"), encoding="utf-8")
    return path


def test_fetch_media_downloads_photos_and_reports_failures(media_server, tmp_path, monkeypatch):
    Handler.routes = {
        "/wp-content/uploads/2024/03/souq.jpg": (200, "image/jpeg", image_bytes("JPEG"), 0),
        "/wp-content/uploads/2024/03/market.png": (200, "text/html", b"<html>login</html>", 0),
    }
    status, out, _ = command(site_on(media_server, tmp_path), "--fetch-media")
    assert status == 0
    assert NewsImage.objects.get().title == "سوق الخضار"
    assert "[attachment#101 · سطر 65] لم تُستورد الصورة: الخادم أرسل نوعًا غير الصور (text/html)" in out
    assert "[attachment#102 · سطر 90] لم تُستورد الصورة: تعذّر تنزيل الملف: HTTP 404" in out


def test_fetch_media_limits_size_and_time(media_server, tmp_path, settings, monkeypatch):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 2000
    monkeypatch.setattr(media, "FETCH_TIMEOUT_S", 0.5)
    Handler.routes = {
        "/wp-content/uploads/2024/03/souq.jpg": (200, "image/jpeg", image_bytes("JPEG", (1600, 1000)), 0),
        "/wp-content/uploads/2024/03/market.png": (200, "image/png", image_bytes("PNG", (10, 10)), 3),
    }
    started = time.monotonic()
    status, out, _ = command(site_on(media_server, tmp_path), "--fetch-media")
    assert time.monotonic() - started < 30
    assert status == 0 and not NewsImage.objects.exists()
    assert "[attachment#100 · سطر 27] لم تُستورد الصورة: الملف أكبر من الحد المسموح" in out
    assert "[attachment#101 · سطر 65] لم تُستورد الصورة: تعذّر تنزيل الملف: " in out


def test_uploads_folder_cannot_be_escaped(tmp_path):
    from nashr.importers.wordpress.media import MediaError, media_from_uploads

    uploads = make_uploads(tmp_path)
    (tmp_path / "secret.jpg").write_bytes(image_bytes())
    with pytest.raises(MediaError):
        media_from_uploads(uploads=uploads, url="https://x.example/wp-content/uploads/../../secret.jpg")
    assert media_from_uploads(uploads=uploads, url="https://x.example/wp-content/uploads/2024/03/souq.jpg")


def test_a_file_that_breaks_off_is_imported_up_to_the_break(tmp_path):
    text = SITE.read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<wp:post_id>205")], encoding="utf-8")
    status, out, _ = command(cut)
    assert status == 0
    assert set(ArticlePage.objects.values_list("title", flat=True)) == {
        "الخبر الأول", "خبر مجدول", "مسودة", "خاص", "للمشتركين"}
    assert "[file · —] سطر" in out and "not well-formed" in out and "لم يُقرأ ما بعده" in out


def test_the_report_table_lines_up_whatever_the_arabic_labels():
    """Every row of the counts table is as wide as the header, counting
    columns as a terminal does (the shadda in "الكتّاب" takes none)."""
    from nashr.importers.wordpress.report import ImportReport, _width

    report = ImportReport()
    for kind, outcome, n in [("author", "unchanged", 2), ("category", "imported", 68),
                             ("comment", "skipped", 9), ("redirect", "imported", 412)]:
        report.count(kind, outcome, n)
    table = report.summary_lines()[1:-1]
    assert len(table) == 6
    assert len({_width(line) for line in table}) == 1, table
    assert table[2].split() == ["الكتّاب", "(author)", "0", "0", "2", "0"]


def test_the_import_reads_sqlite_without_mapping_it_and_leaves_the_setting_after():
    """The importer's connection is set to ``mmap_size`` 0 before it writes
    anything (its resident size is then its own memory, not database pages;
    the test database lives in memory, so the statement is what can be
    checked), and nothing is left to change connections opened later."""
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    receivers = len(connection_created.receivers)
    with CaptureQueriesContext(connection) as queries:
        status, out, _err = command(SITE)
    assert status == 0 and "(post)" in out
    sql = [q["sql"] for q in queries.captured_queries]
    first_write = next(i for i, q in enumerate(sql) if q.lstrip().upper().startswith("INSERT"))
    assert "PRAGMA mmap_size=0" in sql[:first_write]
    assert len(connection_created.receivers) == receivers
