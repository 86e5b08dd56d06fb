"""Applying a subscriber export to the database: the rules of
:mod:`nashr.newsletter.importers`, in batches, with a report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Subscriber, Suppression
from .formats import (
    CLEANED, CONFIRMED, FORMATS, MAPPERS, PENDING, REQUIRED, UNSUBSCRIBED, Columns, Record,
    import_format_detect, record_from_row,
)
from .reader import ImportFileError, RowError, csv_rows_read, msg

logger = logging.getLogger("nashr.newsletter.importers")

__all__ = ["BATCH_SIZE", "ImportReport", "RowNote", "subscribers_import"]

#: rows written per transaction
BATCH_SIZE = 500


class RowNote(NamedTuple):
    """A row that was skipped or not fully applied: its line in the file
    (the header is line 1) and why, in Arabic and English."""

    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do).

    ``rows`` counts records read (header and all-empty rows excluded);
    ``imported + updated + unchanged + skipped == rows``. ``warnings`` are
    in file order."""

    file_format: str
    dry_run: bool = False
    rows: int = 0
    imported: int = 0   # new subscribers stored
    updated: int = 0    # existing subscribers changed (pending → confirmed, empty name filled)
    unchanged: int = 0  # existing subscribers the row agrees with
    skipped: int = 0    # bad rows, suppressed addresses, rows not applied (see warnings)
    warnings: list[RowNote] = field(default_factory=list)

    @property
    def usable(self) -> int:
        """Rows that were applied or already true: the import did its job for them."""
        return self.imported + self.updated + self.unchanged

    def summary(self) -> list[str]:
        """The report's totals as lines of text, Arabic then English."""
        mode = msg("تجربة دون حفظ", "dry run, nothing saved") if self.dry_run else ""
        return [
            msg(f"الصيغة: {self.file_format}", f"format: {self.file_format}") + (f" ({mode})" if mode else ""),
            msg(f"الصفوف: {self.rows}", f"rows: {self.rows}"),
            msg(f"مشتركون جدد: {self.imported}", f"imported: {self.imported}"),
            msg(f"حُدّث: {self.updated}", f"updated: {self.updated}"),
            msg(f"دون تغيير: {self.unchanged}", f"unchanged: {self.unchanged}"),
            msg(f"تُخطّي: {self.skipped}", f"skipped: {self.skipped}"),
        ]


@dataclass
class _State:
    status: str
    name: str
    pk: int | None = None


_LABEL = {CONFIRMED: "مشترك", PENDING: "بانتظار التأكيد", UNSUBSCRIBED: "ألغى الاشتراك", CLEANED: "موقوف"}


def _decide(record: Record, state: _State | None, suppressed: bool) -> tuple[str, dict, str]:
    """``(action, changes, note)``: action is ``create``, ``update``,
    ``unchanged`` or ``skip``; ``note`` ``""`` or a bilingual reason."""
    status = record.status
    if state is not None and state.status == status:
        if record.name and not state.name:
            return "update", {"name": record.name}, ""
        return "unchanged", {}, ""
    if suppressed and status in (CONFIRMED, PENDING):
        return "skip", {}, msg("العنوان في قائمة الحظر (ارتداد أو شكوى)؛ لم يُستورد",
                                "address is on the suppression list; not imported")
    if state is None:
        if status == PENDING:
            return "skip", {}, msg("لم يؤكّد اشتراكه في المنصة السابقة؛ لم يُستورد",
                                    "never confirmed on the old platform; not imported")
        return "create", {}, ""
    if status == PENDING:
        return "unchanged", {}, ""
    if state.status == PENDING and status == CONFIRMED:
        changes = {"status": CONFIRMED}
        if record.name and not state.name:
            changes["name"] = record.name
        return "update", changes, ""
    if state.status == UNSUBSCRIBED and status == CONFIRMED:
        return "skip", {}, msg("ألغى اشتراكه هنا؛ الاستيراد لا يعيد اشتراكه",
                                "unsubscribed here; an import does not subscribe them again")
    if state.status == CLEANED and status == CONFIRMED:
        return "skip", {}, msg("موقوف هنا بسبب ارتداد أو شكوى؛ لم يُغيَّر",
                                "stopped here after a bounce or complaint; left as it is")
    return "skip", {}, msg(
        f"حالته هنا «{_LABEL[state.status]}» والملف يقول «{_LABEL[status]}»؛ أُبقيت حالته",
        f"is {state.status} here and {status} in the file; left as it is")


def _apply_batch(batch: list[Record], *, file_format: str, dry_run: bool, now: datetime,
                 overlay: dict[str, _State], suppressed_overlay: set[str]) -> tuple[dict[str, int], list[RowNote]]:
    keys = {r.key for r in batch}
    states = {key: _State(status=status, name=name, pk=pk) for key, status, name, pk in
              Subscriber.objects.filter(email_key__in=keys).values_list("email_key", "status", "name", "pk")}
    states.update({k: v for k, v in overlay.items() if k in keys})
    suppressed = set(Suppression.objects.filter(email_key__in=keys).values_list("email_key", flat=True))
    suppressed |= suppressed_overlay & keys
    counts = {"imported": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    notes: list[RowNote] = []
    created: dict[str, Subscriber] = {}
    new_suppressions: list[Suppression] = []
    source = f"import:{file_format}"[:64]
    for record in batch:
        state = states.get(record.key)
        action, changes, note = _decide(record, state, record.key in suppressed)
        if note:
            notes.append(RowNote(record.line, note))
        if action == "create":
            created[record.key] = Subscriber(
                email=record.email, email_key=record.key, name=record.name, status=record.status,
                source=source, confirmed_at=now if record.status == CONFIRMED else None,
                unsubscribed_at=now if record.status == UNSUBSCRIBED else None,
            )
            states[record.key] = _State(status=record.status, name=record.name)
            if record.status == CLEANED and record.key not in suppressed:
                new_suppressions.append(Suppression(
                    email_key=record.key, reason=Suppression.Reason.MANUAL,
                    detail=f"imported from {file_format} (line {record.line}): stopped on the old platform"))
                suppressed.add(record.key)
            counts["imported"] += 1
        elif action == "update":
            if changes.get("status") == CONFIRMED:
                changes["confirmed_at"] = now
            if state.pk is None:  # created from an earlier row (of this batch, or of a dry run)
                for attr, value in changes.items():
                    if record.key in created:
                        setattr(created[record.key], attr, value)
            elif not dry_run:
                Subscriber.objects.filter(pk=state.pk).update(**changes)
            state.status = changes.get("status", state.status)
            state.name = changes.get("name", state.name)
            counts["updated"] += 1
        elif action == "unchanged":
            counts["unchanged"] += 1
        else:
            counts["skipped"] += 1
    if dry_run:
        overlay.update({k: v for k, v in states.items() if k in keys})
        suppressed_overlay.update(s.email_key for s in new_suppressions)
    else:
        Subscriber.objects.bulk_create(created.values())
        Suppression.objects.bulk_create(new_suppressions, ignore_conflicts=True)
    return counts, notes


def _flush(batch: list[Record], report: ImportReport, pending_notes: list[RowNote], **kwargs) -> None:
    """Apply one batch in one transaction; a sign-up racing the import for
    the same address (unique ``email_key``) makes the batch run once more
    against the new state."""
    if not batch and not pending_notes:
        return
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                counts, notes = _apply_batch(batch, **kwargs)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    for name, n in counts.items():
        setattr(report, name, getattr(report, name) + n)
    report.warnings.extend(sorted(pending_notes + notes))
    pending_notes.clear()
    batch.clear()


def subscribers_import(*, file: IO[bytes], file_format: str = "auto", dry_run: bool = False,
                       now: datetime | None = None) -> ImportReport:
    """Import subscribers from a CSV export (rules and columns: this
    module's docstring).

    Args:
        file: the CSV as a binary file object (streamed, never read whole).
        file_format: ``"auto"`` (detect from the header row) or one of
            :data:`FORMATS`.
        dry_run: read and check everything, report what would happen, store
            nothing.
        now: the time written as ``confirmed_at``/``unsubscribed_at``, for tests.

    Returns:
        an :class:`ImportReport` (counts and the rows not applied, with
        their line numbers).

    Raises:
        ImportFileError: unknown ``file_format``; the file is empty, UTF-16,
            its header row is not UTF-8, or it has no email column (for
            ``auto``) or not the format's email column. Nothing is stored.
        IntegrityError: only if an address is created concurrently twice in
            a row while importing (batches already written stay written).
    """
    if file_format != "auto" and file_format not in FORMATS:
        raise ImportFileError(msg(f"صيغة غير معروفة: {file_format}",
                                   f"unknown format {file_format!r}; use auto, {', '.join(FORMATS)}"))
    now = now or timezone.now()
    rows = csv_rows_read(file=file)
    header = None
    for first, _last, cells, problem in rows:
        if problem:
            raise ImportFileError(msg("لا يمكن قراءة السطر الأول (أسماء الأعمدة)",
                                       f"the header row (line {first}) cannot be read: {problem}"))
        header = cells
        break
    if header is None:
        raise ImportFileError(msg("الملف فارغ", "the file is empty"))
    columns = Columns(header)
    if file_format == "auto":
        file_format = import_format_detect(header=header)
    elif not columns.find(*REQUIRED[file_format]):
        raise ImportFileError(msg(
            f"لا يوجد عمود {' أو '.join(REQUIRED[file_format])} في السطر الأول",
            f"no {' or '.join(REQUIRED[file_format])} column in the header row for format {file_format}"))
    mapper = MAPPERS[file_format]
    report = ImportReport(file_format=file_format, dry_run=dry_run)
    batch: list[Record] = []
    bad: list[RowNote] = []
    context = {"file_format": file_format, "dry_run": dry_run, "now": now,
               "overlay": {}, "suppressed_overlay": set()}
    for first, last, cells, problem in rows:
        if cells is not None and not any(c.strip() for c in cells):
            continue
        report.rows += 1
        if problem:
            bad.append(RowNote(first, problem))
            report.skipped += 1
            continue
        try:
            batch.append(record_from_row(columns, mapper, first, last, cells))
        except RowError as exc:
            bad.append(RowNote(first, str(exc)))
            report.skipped += 1
            continue
        if len(batch) >= BATCH_SIZE:
            _flush(batch, report, bad, **context)
    _flush(batch, report, bad, **context)
    logger.info("subscriber import (%s%s): %d rows, %d imported, %d updated, %d unchanged, %d skipped",
                file_format, ", dry run" if dry_run else "", report.rows, report.imported,
                report.updated, report.unchanged, report.skipped)
    return report
