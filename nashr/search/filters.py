"""Reader-chosen filters of /search/: a section, a period ("last week",
"last month", "last year") or a from/to date range.

Parsing never raises: a value that is not understood is dropped and
explained in Arabic in ``errors``; the search still runs without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .selectors import SearchFilters

#: ``?period=`` values → (label, days back from now).
PERIODS = {
    "week": ("آخر أسبوع", 7),
    "month": ("آخر شهر", 31),
    "year": ("آخر سنة", 366),
}
_MAX_DATE_CHARS = 10  # YYYY-MM-DD


@dataclass
class FilterForm:
    """What the filter form shows back to the reader and what it means."""

    filters: SearchFilters
    section: str = ""  # the chosen section's id, as typed
    period: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        f = self.filters
        return bool(f.section_path or f.date_from or f.date_to)


def _parse_date(raw: str) -> date | None:
    """``YYYY-MM-DD`` (ASCII or Arabic-Indic digits) → date, else None.

    >>> _parse_date("2026-01-31"), _parse_date("٢٠٢٦-٠١-٣١"), _parse_date("31/01/2026")
    (datetime.date(2026, 1, 31), datetime.date(2026, 1, 31), None)
    """
    from nashr.arabic.digits import to_western

    raw = to_western(raw.strip())[:_MAX_DATE_CHARS + 1]
    if len(raw) != _MAX_DATE_CHARS:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_filters_parse(*, params, sections: list, now: datetime | None = None) -> FilterForm:
    """Read ``section`` (a live section's id), ``period`` (a key of
    :data:`PERIODS`) and ``from``/``to`` (``YYYY-MM-DD``, whole days in the
    site's time zone, both inclusive) from ``params`` (a QueryDict or dict).
    A period wins over from/to. ``sections`` are the live sections a reader
    may choose from.
    """
    now = now or timezone.now()
    errors: list[str] = []
    form = FilterForm(filters=SearchFilters())
    section_path = None
    raw_section = str(params.get("section", "") or "").strip()[:12]
    if raw_section:
        section = next((s for s in sections if str(s.pk) == raw_section), None)
        if section is None:
            errors.append("القسم المختار غير موجود؛ عرضنا النتائج من كل الأقسام.")
        else:
            section_path = section.path
            form.section = raw_section
    date_from = date_to = None
    period = str(params.get("period", "") or "").strip()
    if period in PERIODS:
        form.period = period
        date_from = now - timedelta(days=PERIODS[period][1])
    elif period:
        errors.append("المدة المختارة غير معروفة؛ عرضنا النتائج من كل التواريخ.")
    else:
        raw_from = str(params.get("from", "") or "")
        raw_to = str(params.get("to", "") or "")
        day_from = _parse_date(raw_from) if raw_from.strip() else None
        day_to = _parse_date(raw_to) if raw_to.strip() else None
        if raw_from.strip() and day_from is None or raw_to.strip() and day_to is None:
            errors.append("تاريخ غير صالح؛ اكتبه بالصيغة سنة-شهر-يوم، مثل 2026-01-31.")
        if day_from and day_to and day_from > day_to:
            day_from, day_to = day_to, day_from
        if day_from:
            form.date_from = day_from.isoformat()
            date_from = _day_start(day_from)
        if day_to:
            form.date_to = day_to.isoformat()
            date_to = _day_start(day_to + timedelta(days=1))
    form.filters = SearchFilters(section_path=section_path, date_from=date_from, date_to=date_to)
    form.errors = errors
    return form
