"""The import report: counts per kind and outcome, and every warning with the
WordPress id and the line of the export it came from.

Outcomes: ``imported`` (new object), ``updated`` (an earlier import changed
because the export changed), ``unchanged`` (already imported, nothing to do)
and ``skipped`` (not imported; a warning always says why).
"""

from __future__ import annotations

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
        """The counts table, one line per kind seen, Arabic label first."""
        head = "تجربة دون حفظ — dry run, nothing stored" if self.dry_run else "تقرير الاستيراد — import report"
        lines = [head, f"{'':14} {'جديد':>8} {'محدّث':>8} {'دون تغيير':>10} {'متروك':>8}",
                 f"{'':14} {'imported':>8} {'updated':>8} {'unchanged':>10} {'skipped':>8}"]
        kinds = list(KIND_LABELS) + sorted(set(self.counts) - set(KIND_LABELS))
        for kind in kinds:
            if kind not in self.counts:
                continue
            c = self.counts[kind]
            label = f"{KIND_LABELS.get(kind, kind)} ({kind})"
            lines.append(f"{label:14} {c['imported']:>8} {c['updated']:>8} {c['unchanged']:>10} {c['skipped']:>8}")
        lines.append(f"تنبيهات — warnings: {len(self.notes)}")
        return lines
