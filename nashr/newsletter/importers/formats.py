"""Subscriber export formats: which format a header row is, and each
format's mapping of a row to (address, name, status). Part of
:mod:`nashr.newsletter.importers` (its docstring has the column table)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..models import Subscriber
from ..subscriptions import subscriber_email_key, subscriber_email_normalise, subscriber_name_clean
from .reader import ImportFileError, RowError, msg

__all__ = ["FORMATS", "MAPPERS", "REQUIRED", "Columns", "Record", "import_format_detect", "record_from_row"]

#: ``--format`` choices besides ``auto``
FORMATS = ("nashr", "jetpack", "substack", "ghost")

CONFIRMED, PENDING, UNSUBSCRIBED, CLEANED = (
    Subscriber.Status.CONFIRMED.value, Subscriber.Status.PENDING.value,
    Subscriber.Status.UNSUBSCRIBED.value, Subscriber.Status.CLEANED.value,
)


def _header_key(name: str) -> str:
    """``" Email Address "`` → ``"email_address"``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


_TRUE = {"true", "yes", "1", "t", "y"}
_FALSE = {"false", "no", "0", "f", "n"}

_NASHR_STATUS = {value: value for value in (CONFIRMED, PENDING, UNSUBSCRIBED, CLEANED)}
_NASHR_STATUS.update({str(label): value for value, label in Subscriber.Status.choices})

_JETPACK_STATUS = {
    "subscribed": CONFIRMED, "confirmed": CONFIRMED, "active": CONFIRMED,
    "unsubscribed": UNSUBSCRIBED, "not subscribed": UNSUBSCRIBED, "not_subscribed": UNSUBSCRIBED,
    "inactive": UNSUBSCRIBED, "not sending": UNSUBSCRIBED, "not_sending": UNSUBSCRIBED,
    "not confirmed": PENDING, "not_confirmed": PENDING, "unconfirmed": PENDING, "pending": PENDING,
}


def _boolean(value: str, column: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(msg(f"قيمة غير مفهومة في العمود {column}: {value[:40]!r}",
                         f"not a yes/no value in column {column}: {value[:40]!r}"))


class Columns:
    """Indexes of the header row's columns by normalised name."""

    def __init__(self, header: list[str]) -> None:
        self.names = [_header_key(h) for h in header]
        self.index: dict[str, int] = {}
        for i, name in enumerate(self.names):
            self.index.setdefault(name, i)

    def find(self, *names: str) -> str | None:
        return next((n for n in names if n in self.index), None)

    def get(self, cells: list[str], *names: str) -> str:
        name = self.find(*names)
        if name is None:
            return ""
        i = self.index[name]
        return cells[i] if i < len(cells) else ""


_NASHR_EMAIL = ("email", "البريد_الإلكتروني")
_NASHR_STATUS_COLS = ("status", "الحالة")
_NASHR_SOURCE = ("source", "المصدر")
_JETPACK_EMAIL = ("email", "email_address")
_JETPACK_STATUS_COLS = ("status", "subscription_status", "email_subscription")


def import_format_detect(*, header: list[str]) -> str:
    """The format of a file from its header row (first match wins):
    ``ghost``, ``substack``, ``nashr``, ``jetpack`` (see the module table).

    Raises:
        ImportFileError: no column holds email addresses.

    >>> import_format_detect(header=["email", "active_subscription", "expiry", "plan", "email_disabled", "created_at"])
    'substack'
    >>> import_format_detect(header=["البريد الإلكتروني", "الاسم", "الحالة", "المصدر"])
    'nashr'
    >>> import_format_detect(header=["Email Address", "First Name"])
    'jetpack'
    """
    columns = Columns(header)
    if columns.find("subscribed_to_emails") and columns.find("email"):
        return "ghost"
    if columns.find("email_disabled", "active_subscription") and columns.find("email"):
        return "substack"
    if columns.find(*_NASHR_EMAIL) and columns.find(*_NASHR_STATUS_COLS) and columns.find(*_NASHR_SOURCE):
        return "nashr"
    if columns.find(*_JETPACK_EMAIL):
        return "jetpack"
    shown = ", ".join(h[:40] for h in header[:12])
    raise ImportFileError(msg(
        f"لم نجد عمودًا لعناوين البريد في السطر الأول ({shown})",
        f"no email column in the header row ({shown}); expected email or email_address"))


def _map_nashr(columns: Columns, cells: list[str]) -> tuple[str, str, str]:
    raw_status = columns.get(cells, *_NASHR_STATUS_COLS).strip()
    status = _NASHR_STATUS.get(raw_status.lower(), _NASHR_STATUS.get(raw_status)) if raw_status else CONFIRMED
    if status is None:
        raise RowError(msg(f"حالة غير معروفة: {raw_status[:40]!r}", f"unknown status {raw_status[:40]!r}"))
    return columns.get(cells, *_NASHR_EMAIL), columns.get(cells, "name", "الاسم"), status


def _map_ghost(columns: Columns, cells: list[str]) -> tuple[str, str, str]:
    if columns.get(cells, "deleted_at").strip():
        raise RowError(msg("عضو محذوف في Ghost (deleted_at)", "a deleted Ghost member (deleted_at is set)"))
    subscribed = _boolean(columns.get(cells, "subscribed_to_emails"), "subscribed_to_emails")
    status = UNSUBSCRIBED if subscribed is False else CONFIRMED
    return columns.get(cells, "email"), columns.get(cells, "name"), status


def _map_substack(columns: Columns, cells: list[str]) -> tuple[str, str, str]:
    disabled = _boolean(columns.get(cells, "email_disabled"), "email_disabled")
    status = UNSUBSCRIBED if disabled else CONFIRMED
    return columns.get(cells, "email"), columns.get(cells, "name"), status


def _map_jetpack(columns: Columns, cells: list[str]) -> tuple[str, str, str]:
    name = columns.get(cells, "name", "full_name", "display_name").strip()
    if not name:
        name = " ".join(part.strip() for part in (
            columns.get(cells, "first_name"), columns.get(cells, "last_name")) if part.strip())
    raw_status = columns.get(cells, *_JETPACK_STATUS_COLS).strip()
    status = _JETPACK_STATUS.get(" ".join(raw_status.lower().split())) if raw_status else CONFIRMED
    if status is None:
        raise RowError(msg(f"حالة غير معروفة: {raw_status[:40]!r}", f"unknown status {raw_status[:40]!r}"))
    return columns.get(cells, *_JETPACK_EMAIL), name, status


MAPPERS: dict[str, Callable[[Columns, list[str]], tuple[str, str, str]]] = {
    "nashr": _map_nashr, "ghost": _map_ghost, "substack": _map_substack, "jetpack": _map_jetpack,
}
REQUIRED = {"nashr": _NASHR_EMAIL, "ghost": ("email",), "substack": ("email",), "jetpack": _JETPACK_EMAIL}

_EMAIL_ERRORS_EN = {
    "required": "no email address", "control_characters": "line breaks or control characters in the address",
    "max_length": "address longer than 254 characters",
}


@dataclass
class Record:
    line: int
    email: str
    key: str
    name: str
    status: str


def record_from_row(columns: Columns, mapper, first: int, last: int, cells: list[str]) -> Record:
    email, name, status = mapper(columns, cells)
    # a quoted cell with a line break makes a record span several lines
    where_ar, where_en = ("", "") if first == last else (f" (السطور {first}–{last})", f" (lines {first}–{last})")
    if not email.strip():
        raise RowError(msg("لا يوجد عنوان بريد" + where_ar, "no email address" + where_en))
    try:
        email = subscriber_email_normalise(email=email)
    except ValidationError as exc:
        english = _EMAIL_ERRORS_EN.get(exc.code, "not a valid email address")
        raise RowError(msg(f"{exc.messages[0]} {email[:80]!r}{where_ar}",
                           f"{english}: {email[:80]!r}{where_en}")) from None
    try:
        name = subscriber_name_clean(name=name)
    except ValidationError as exc:
        english = ("line breaks or control characters in the name" if exc.code == "control_characters"
                   else "name longer than 200 characters")
        raise RowError(msg(exc.messages[0] + where_ar, english + where_en)) from None
    return Record(line=first, email=email, key=subscriber_email_key(email=email), name=name, status=status)
