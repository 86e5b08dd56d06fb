"""Reading a subscriber CSV export: bytes → decoded lines → CSV records,
with the physical line numbers each record spans. Part of
:mod:`nashr.newsletter.importers` (its docstring has the file rules)."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import IO

__all__ = ["ImportFileError", "RowError", "csv_rows_read", "msg"]


def msg(ar: str, en: str) -> str:
    """One message in both languages: the admin is Arabic, logs and support
    threads are often English."""
    return f"{ar} — {en}"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not UTF-8, no header row, no
    email column, unknown format). Nothing was stored. The message is in
    Arabic and English."""


class RowError(Exception):
    """A row that cannot be imported; ``str()`` is the bilingual message."""


def _decoded_lines(file: IO[bytes], bad_lines: set[int]) -> Iterator[str]:
    """The file's physical lines as text. UTF-8 never has a ``\\n`` byte
    inside a character, so decoding line by line is exact; a line that is
    not UTF-8 is decoded with U+FFFD and its number put in ``bad_lines``."""
    number = 0
    for raw in iter(file.readline, b""):
        number += 1
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise ImportFileError(msg(
                    "الملف بترميز UTF-16؛ احفظه بصيغة «CSV UTF-8» ثم أعد المحاولة",
                    "the file is UTF-16; save it as \"CSV UTF-8\" and try again"))
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield raw.decode("utf-8", errors="replace")


def csv_rows_read(*, file: IO[bytes]) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """Stream a CSV file's records.

    Args:
        file: a binary file object open for reading (a path's ``open("rb")``,
            a Django ``UploadedFile``); read one line at a time.

    Yields:
        ``(first_line, last_line, cells, problem)``: the physical lines the
        record spans (1-based) and either its cells (``problem == ""``) or
        ``None`` and a bilingual description (bytes not UTF-8, a field over
        the ``csv`` module's limit). Empty lines are not yielded.

    Raises:
        ImportFileError: the file starts with a UTF-16 byte-order mark.
    """
    bad_lines: set[int] = set()
    reader = csv.reader(_decoded_lines(file, bad_lines))
    last = 0
    while True:
        first = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last = reader.line_num
            yield first, last, None, msg("صف لا يمكن قراءته", f"unreadable row: {exc}")
            continue
        last = reader.line_num
        if not cells:
            continue
        if bad_lines and any(n in bad_lines for n in range(first, last + 1)):
            yield first, last, None, msg(
                "في السطر محارف ليست بترميز UTF-8؛ احفظ الملف بصيغة «CSV UTF-8»",
                "bytes that are not UTF-8; save the file as \"CSV UTF-8\"")
            continue
        yield first, last, cells, ""
