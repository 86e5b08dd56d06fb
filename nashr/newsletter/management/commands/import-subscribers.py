"""``nashr import-subscribers FILE.csv [--format auto|nashr|jetpack|substack|ghost] [--dry-run]``

Imports subscribers from a CSV export (Nashr's own, WordPress.com/Jetpack,
Substack, Ghost; columns and rules: :mod:`nashr.newsletter.importers`) and
prints a report in Arabic and English: totals, then every row skipped or
not applied, with its line number.

Exit status: 0 when at least one row was imported, updated or already
true; 1 when nothing in the file could be used (unreadable file, no email
column, no data rows, or every row skipped); 2 for a usage error.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nashr.newsletter.importers import FORMATS, ImportFileError, subscribers_import


class Command(BaseCommand):
    help = ("Import newsletter subscribers from a CSV export (Nashr, WordPress.com/Jetpack, "
            "Substack, Ghost) — استيراد المشتركين من ملف CSV")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument("--format", dest="file_format", default="auto", choices=("auto", *FORMATS),
                            help="the export's format (default: detected from the header row)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report what would happen; store nothing")

    def handle(self, *args, file: str, file_format: str, dry_run: bool, **options) -> None:
        path = Path(file)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise CommandError(f"تعذّر فتح الملف — cannot open {path}: {exc.strerror}") from None
        with handle:
            try:
                report = subscribers_import(file=handle, file_format=file_format, dry_run=dry_run)
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
        for line in report.summary():
            self.stdout.write(line)
        if report.warnings:
            self.stdout.write("")
            self.stdout.write(f"صفوف لم تُطبَّق — rows not applied ({len(report.warnings)}):")
            for note in report.warnings:
                self.stdout.write(f"  {path.name}:{note.line}: {note.message}")
        if report.usable == 0:
            raise CommandError("لم يُستورد شيء من الملف — nothing in the file could be imported")
