"""The import report: counts per kind and outcome, and every warning with the
WordPress id and the line of the export it came from.

Outcomes: ``imported`` (new object), ``updated`` (an earlier import changed
because the export changed), ``unchanged`` (already imported, nothing to do)
and ``skipped`` (not imported; a warning always says why).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = ("imported", "updated", "unchanged", "skipped")

#: kinds in the order the report prints them, with their Arabic names
KIND_LABELS = {
    "author": "الكتّاب",
    "category": "التصنيفات",
    "tag": "الوسوم",
    "attachment": "المرفقات",
    "post": "المقالات",
    "page": "الصفحات",
    "comment": "التعليقات",
    "redirect": "التحويلات",
    "other": "عناصر أخرى",
    "file": "الملف",
}


@dataclass(frozen=True)
class Note:
    """One warning: ``kind`` as in :data:`KIND_LABELS`, ``wp_id`` the
    WordPress id (post/term/comment id, author login; ``""`` for the file
    itself), ``line`` the 1-based line in the export (``None`` if unknown)."""

    kind: str
    wp_id: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"سطر {self.line}" if self.line else "—"
        ident = f"#{self.wp_id}" if self.wp_id else ""
        return f"[{self.kind}{ident} · {where}] {self.message}"


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    dry_run: bool = False

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.counts.setdefault(kind, Counter())[outcome] += n

    def warn(self, kind: str, wp_id, line: int | None, message: str) -> None:
        self.notes.append(Note(kind=kind, wp_id=str(wp_id or ""), line=line, message=message))

    def get(self, kind: str, outcome: str) -> int:
        return self.counts.get(kind, Counter())[outcome]

    def checkpoint(self) -> tuple[dict[str, Counter], int]:
        """The counts and the number of notes now, for :meth:`restore`."""
        return {kind: Counter(c) for kind, c in self.counts.items()}, len(self.notes)

    def restore(self, checkpoint: tuple[dict[str, Counter], int]) -> None:
        """Forget what was counted and noted since ``checkpoint`` (work
        that was rolled back and will be done, and counted, again)."""
        counts, notes = checkpoint
        self.counts = {kind: Counter(c) for kind, c in counts.items()}
        del self.notes[notes:]

    def total(self, kind: str) -> int:
        return sum(self.counts.get(kind, Counter()).values())

    @property
    def usable(self) -> int:
        """Objects imported, updated or already present (the command fails
        only when this is 0)."""
        return sum(c["imported"] + c["updated"] + c["unchanged"] for c in self.counts.values())

    def notes_for(self, kind: str, wp_id) -> list[Note]:
        return [n for n in self.notes if n.kind == kind and n.wp_id == str(wp_id)]

    def summary_lines(self) -> list[str]:
        """The counts table, one line per kind seen, Arabic label first.
        Columns are padded by display width (combining marks such as the
        shadda in "الكتّاب" take no column), so they line up in a terminal."""
        head = "تجربة دون حفظ — dry run, nothing stored" if self.dry_run else "تقرير الاستيراد — import report"
        kinds = [k for k in list(KIND_LABELS) + sorted(set(self.counts) - set(KIND_LABELS)) if k in self.counts]
        labels = {kind: f"{KIND_LABELS.get(kind, kind)} ({kind})" for kind in kinds}
        first = max([_width(label) for label in labels.values()] + [8])
        arabic = ("جديد", "محدّث", "دون تغيير", "متروك")
        widths = [max(_width(a), len(o)) for a, o in zip(arabic, OUTCOMES)]

        def row(label: str, cells) -> str:
            return " ".join([_pad(label, first, left=True)] + [_pad(str(c), w) for c, w in zip(cells, widths)])

        lines = [head, row("", arabic), row("", OUTCOMES)]
        for kind in kinds:
            lines.append(row(labels[kind], [self.counts[kind][o] for o in OUTCOMES]))
        lines.append(f"تنبيهات — warnings: {len(self.notes)}")
        return lines


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: combining marks take none.

    >>> _width("الكتّاب"), len("الكتّاب")
    (6, 7)
    """
    return sum(1 for ch in text if not unicodedata.combining(ch))


def _pad(text: str, width: int, *, left: bool = False) -> str:
    """``text`` padded with spaces to ``width`` display columns, aligned
    left (labels) or right (numbers)."""
    fill = " " * max(0, width - _width(text))
    return text + fill if left else fill + text
