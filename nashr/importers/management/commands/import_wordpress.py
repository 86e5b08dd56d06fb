"""``nashr import-wordpress EXPORT.xml [--uploads DIR] [--fetch-media] [--dry-run] [--author-map FILE] [--page-api]``

Imports a WordPress export (WXR, Tools → Export) into Nashr: authors,
categories (sections), tags, photos, posts, pages, comments and redirects
from the old URLs (rules: :mod:`nashr.importers.wordpress`). A progress bar
goes to stderr; the report (counts per kind, the time the end-of-run index
rebuild took, then every warning with the WordPress id and the line in the
file) goes to stdout.

Exit status: 0 when anything was imported, updated or already present;
1 when nothing could be imported (unreadable or refused file, or every
record skipped); 2 for a usage error.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nashr.importers.wordpress.importer import BATCH, WordPressImporter
from nashr.importers.wordpress.mapping import author_map_load
from nashr.importers.wordpress.reader import WxrError
from nashr.site.sqlite import sqlite_reads_without_mmap


class Command(BaseCommand):
    help = ("Import a WordPress export (WXR) with photos, comments and redirects — "
            "استيراد موقع ووردبريس من ملف التصدير")

    def add_arguments(self, parser) -> None:
        parser.add_argument("export", help="the WXR file exported by WordPress (Tools → Export)")
        parser.add_argument("--uploads", metavar="DIR",
                            help="the old site's wp-content/uploads folder (photos are read from it)")
        parser.add_argument("--fetch-media", action="store_true",
                            help="download photos from their URLs in the export (timeout, size limit)")
        parser.add_argument("--dry-run", action="store_true",
                            help="read everything and report what would happen; store nothing")
        parser.add_argument("--author-map", metavar="FILE",
                            help="CSV: wordpress_login,nashr_author (an author's slug or name)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
        parser.add_argument("--page-api", action="store_true",
                            help="write every post through Wagtail's page API, one at a time, instead of "
                                 "new published articles in batches (the same result, several times slower; "
                                 "for comparison and troubleshooting)")

    def handle(self, *args, export: str, uploads: str | None, fetch_media: bool, dry_run: bool,
               author_map: str | None, no_progress: bool, page_api: bool = False, **options) -> None:
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"الملف غير موجود — file not found: {path}")
        if uploads and not Path(uploads).is_dir():
            raise CommandError(f"مجلد الرفع غير موجود — uploads folder not found: {uploads}")
        try:
            authors = author_map_load(author_map) if author_map else {}
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        importer = WordPressImporter(
            path=path, uploads=Path(uploads) if uploads else None, fetch_media=fetch_media,
            dry_run=dry_run, author_map=authors, progress=None if no_progress else sys.stderr,
            bulk=not page_api,
        )
        # Wagtail logs every page created and published at INFO; the
        # report says it better, once.
        wagtail_log = logging.getLogger("wagtail")
        level = wagtail_log.level
        wagtail_log.setLevel(logging.WARNING)
        try:
            with sqlite_reads_without_mmap():  # its memory does not grow with the site
                report = importer.run()
        except WxrError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            # Ctrl-C: what was committed stays, the batch being written was
            # rolled back (the report's counts would include it: not shown)
            queued = importer.stopped_tasks
            self.stdout.write(
                f"أُوقف الاستيراد — import stopped: what was written before the last commit (one every "
                f"{BATCH} records) is stored, the rest was rolled back; run the same command again to import "
                "the rest (what is stored is recognised and left as it is)"
                + (f"; the related lists of the articles imported so far are queued for the task worker "
                   f"({queued} task{'' if queued == 1 else 's'})" if queued else ""))
            raise CommandError("أُوقف الاستيراد — import stopped", returncode=130) from None
        finally:
            wagtail_log.setLevel(level)
        for line in report.summary_lines():
            self.stdout.write(line)
        rebuilt = importer.rebuilt
        if rebuilt:
            # what publishing would have queued per article: the indexes
            # with each batch; the related lists queued for the task worker
            self.stdout.write(
                f"الفهارس — indexes, for {rebuilt['articles']} new articles: with the batches: search index "
                f"{rebuilt['search_seconds']} s, admin search {rebuilt['admin_search_seconds']} s, reference index "
                f"{rebuilt['references_seconds']} s")
            self.stdout.write(
                f"المقالات ذات الصلة — related articles: the lists of {rebuilt['articles']} new articles queued "
                f"for the task worker ({rebuilt['related_tasks']} task{'' if rebuilt['related_tasks'] == 1 else 's'}); "
                "`nashr serve` runs them, "
                "or run them now with `nashr db_worker --batch`")
        if report.notes:
            self.stdout.write("")
            self.stdout.write(f"التنبيهات — warnings ({len(report.notes)}):")
            for note in report.notes:
                self.stdout.write(f"  {path.name}: {note}")
        if report.usable == 0:
            raise CommandError("لم يُستورد شيء من الملف — nothing in the file could be imported")
