"""Arabic dates: Gregorian by region (CLDR via Babel) and Hijri (Umm al-Qura).

Arab countries name the Gregorian months differently: Egypt, the Gulf and
Morocco write the English-derived names (``أكتوبر``), Algeria and Tunisia some
French-derived ones (``جانفي`` for January), the Levant and Iraq the
Syriac-derived names (``تشرين الأول``). Babel carries these per region
from the Unicode CLDR (``common/main/ar_*.xml``), so the site chooses a
region and gets its month names. Digits are chosen separately: CLDR's
default numbering system differs by region (``arab`` for ``ar_EG``, ``latn``
for ``ar_MA``) while Babel's date formatting writes ``0-9`` for all of them,
so every function here sets the digits itself from its ``digits`` argument.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel import dates as babel_dates
from babel.core import UnknownLocaleError
from hijridate import Gregorian
from hijridate.ummalqura import GREGORIAN_RANGE

from .digits import apply_digits

__all__ = ["HIJRI_MONTHS", "format_date", "format_datetime", "format_hijri"]

# Bidi marks Babel or CLDR may put around numbers or "م"/"ص":
# LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK, ARABIC LETTER MARK.
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")
# A CLDR region code: ISO 3166-1 alpha-2, or a UN M.49 three-digit area.
_REGION = re.compile(r"[A-Za-z]{2}|[0-9]{3}")

#: Hijri month names, Arabic, in order (Unicode CLDR ``ar``, calendar
#: ``islamic``, ``months/format/wide``): ``ربيع الآخر`` and ``جمادى الآخرة``,
#: where hijridate's ``month_name("ar")`` mixes ``ربيع الثاني`` with
#: ``جمادى الآخرة``.
HIJRI_MONTHS: tuple[str, ...] = (
    "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
    "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
)
# The usual abbreviation of هجري ("of the Hijra"): heh + tatweel.
_HIJRI_ERA = "هـ"


@lru_cache(maxsize=64)
def _locale(region: str) -> Locale:
    if _REGION.fullmatch(region):
        try:
            return Locale.parse(f"ar_{region.upper()}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse("ar")


def _finish(text: str, digits: str) -> str:
    return apply_digits(text.translate(_BIDI_MARKS), digits)


def format_date(
    value: date | datetime,
    *,
    region: str = "EG",
    digits: str = "latn",
    with_weekday: bool = False,
) -> str:
    """A long Arabic date: day, month name, year (``5 أكتوبر 2026``).

    Month and weekday names come from CLDR for locale ``ar_<region>`` (via
    Babel); pattern ``d MMMM y``, or CLDR's full pattern ``EEEE، d MMMM y``
    with the weekday.

    Args:
        value: a date; for a ``datetime`` its own calendar date is used
            (convert it to the reader's time zone first).
        region: CLDR region code, e.g. ``"EG"``, ``"SA"``, ``"MA"``, ``"SY"``,
            ``"LB"``, ``"JO"``, ``"IQ"``, ``"PS"`` (case-insensitive). A region
            Babel has no ``ar_`` locale for (or a malformed code) falls back
            to plain ``ar``, which uses ``أكتوبر``-style names.
        digits: ``"latn"`` (``0-9``) or ``"arab"`` (``٠-٩``), whatever the
            region's CLDR default.

    Returns:
        The date, without bidi marks (U+200E, U+200F, U+061C).

    Raises:
        ValueError: ``digits`` is not ``"latn"`` or ``"arab"``.

    >>> format_date(date(2026, 10, 5))
    '5 أكتوبر 2026'
    >>> format_date(date(2026, 10, 5), region="SY")
    '5 تشرين الأول 2026'
    >>> format_date(datetime(2026, 10, 5, 23, 30), region="LB", digits="arab", with_weekday=True)
    'الاثنين، ٥ تشرين الأول ٢٠٢٦'
    """
    if isinstance(value, datetime):
        value = value.date()
    pattern = "EEEE، d MMMM y" if with_weekday else "d MMMM y"
    return _finish(babel_dates.format_date(value, pattern, locale=_locale(region)), digits)


def format_datetime(
    value: datetime,
    *,
    region: str = "EG",
    digits: str = "latn",
    tz: str = "UTC",
    with_weekday: bool = False,
) -> str:
    """A long Arabic date and 12-hour time: ``5 أكتوبر 2026، 2:07 م``.

    The date is as :func:`format_date`; the time uses pattern ``h:mm a``
    (``ص`` before noon, ``م`` after, CLDR ``ar`` day periods), joined by
    CLDR's ``ar`` date-time pattern ``{date}، {time}``.

    Args:
        value: an aware ``datetime``, or a naive one taken to be UTC (as
            Django stores datetimes with ``USE_TZ = True``).
        region: CLDR region code, as for :func:`format_date`.
        digits: ``"latn"`` or ``"arab"``.
        tz: IANA time zone name the reader sees, e.g. ``"Africa/Cairo"``.
        with_weekday: put the weekday name first.

    Returns:
        The date and time in ``tz``, without bidi marks.

    Raises:
        TypeError: ``value`` is a ``date`` without a time.
        ValueError: ``tz`` is not a known time zone, or ``digits`` is not
            ``"latn"``/``"arab"``.

    >>> format_datetime(datetime(2026, 10, 5, 11, 7), tz="Africa/Cairo")
    '5 أكتوبر 2026، 2:07 م'
    >>> format_datetime(datetime(2026, 10, 5, 5, 0, tzinfo=timezone.utc),
    ...                 region="JO", digits="arab", tz="Asia/Amman")
    '٥ تشرين الأول ٢٠٢٦، ٨:٠٠ ص'
    """
    if not isinstance(value, datetime):
        raise TypeError(f"format_datetime needs a datetime, not {type(value).__name__}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {tz!r}") from error
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(zone)
    locale = _locale(region)
    day = format_date(local, region=region, digits="latn", with_weekday=with_weekday)
    clock = babel_dates.format_time(local.time(), "h:mm a", locale=locale)
    return _finish(f"{day}، {clock}", digits)


def format_hijri(value: date | datetime, *, digits: str = "latn") -> str:
    """The Hijri (Umm al-Qura) date: ``24 ربيع الآخر 1448 هـ``.

    Converted with hijridate, which implements the Umm al-Qura calendar of
    Saudi Arabia from its published tables; month names are CLDR's
    (:data:`HIJRI_MONTHS`). The Umm al-Qura date can differ by a day from
    the date announced by moon sighting in other countries.

    Args:
        value: a date; for a ``datetime`` its own calendar date is used.
        digits: ``"latn"`` or ``"arab"``.

    Returns:
        ``"<day> <month> <year> هـ"``.

    Raises:
        ValueError: the date is outside the range hijridate's Umm al-Qura
            tables cover, 1343-01-01 to 1500-12-30 AH (1924-08-01 to
            2077-11-16 CE; ``hijridate.ummalqura.GREGORIAN_RANGE``), or
            ``digits`` is not ``"latn"``/``"arab"``.

    >>> format_hijri(date(2026, 10, 5))
    '24 ربيع الآخر 1448 هـ'
    >>> format_hijri(date(2026, 3, 20), digits="arab")
    '١ شوال ١٤٤٧ هـ'
    >>> format_hijri(date(1900, 1, 1))
    Traceback (most recent call last):
    ...
    ValueError: 1900-01-01 is outside the Umm al-Qura range 1924-08-01..2077-11-16 (1343–1500 AH)
    """
    if isinstance(value, datetime):
        value = value.date()
    first, last = (date(*ymd) for ymd in GREGORIAN_RANGE)
    if not first <= value <= last:
        raise ValueError(
            f"{value.isoformat()} is outside the Umm al-Qura range "
            f"{first.isoformat()}..{last.isoformat()} (1343–1500 AH)"
        )
    hijri = Gregorian.fromdate(value).to_hijri()
    text = f"{hijri.day} {HIJRI_MONTHS[hijri.month - 1]} {hijri.year} {_HIJRI_ERA}"
    return apply_digits(text, digits)
