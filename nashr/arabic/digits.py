"""Digit shapes: Western (``0-9``), Arabic-Indic (``٠-٩``) and Persian (``۰-۹``).

Arabic text uses two digit sets. Egypt, the Levant, Iraq and the Gulf commonly
print Arabic-Indic digits (U+0660–U+0669); the Maghreb and most web publishers
print Western digits (U+0030–U+0039). Persian and Urdu text use the
"Extended Arabic-Indic" digits (U+06F0–U+06F9), which look different for 4, 5,
6 and 7. The CLDR numbering-system ids are ``latn`` and ``arab`` (Unicode
CLDR, ``common/supplemental/numberingSystems.xml``); :func:`apply_digits`
takes those ids so a site setting can name them directly.

Only the digits change: separators such as ``,`` or ``٫`` are left as they
are.
"""

from __future__ import annotations

__all__ = ["DIGIT_SYSTEMS", "to_arabic_indic", "to_western", "apply_digits"]

#: The digit systems :func:`apply_digits` accepts (CLDR numbering-system ids).
DIGIT_SYSTEMS: frozenset[str] = frozenset({"latn", "arab"})

_ASCII = "0123456789"
_ARABIC_INDIC = "".join(chr(0x0660 + i) for i in range(10))  # ٠١٢٣٤٥٦٧٨٩
_PERSIAN = "".join(chr(0x06F0 + i) for i in range(10))  # ۰۱۲۳۴۵۶۷۸۹

_TO_ARABIC_INDIC = str.maketrans(_ASCII, _ARABIC_INDIC)
_TO_WESTERN = tuple(zip(_ARABIC_INDIC + _PERSIAN, _ASCII * 2))


def to_arabic_indic(s: str) -> str:
    """Replace the ASCII digits ``0-9`` in ``s`` by Arabic-Indic ``٠-٩``.

    Args:
        s: any text.

    Returns:
        ``s`` with U+0030–U+0039 mapped to U+0660–U+0669; every other
        character (including Persian digits) unchanged. Never raises.

    >>> to_arabic_indic("5 أكتوبر 2026")
    '٥ أكتوبر ٢٠٢٦'
    >>> to_arabic_indic("COVID-19")
    'COVID-١٩'
    """
    return s.translate(_TO_ARABIC_INDIC)


def to_western(s: str) -> str:
    """Replace Arabic-Indic (``٠-٩``) and Persian (``۰-۹``) digits by ``0-9``.

    Args:
        s: any text.

    Returns:
        ``s`` with U+0660–U+0669 and U+06F0–U+06F9 mapped to ASCII digits;
        every other character unchanged. Never raises.

    >>> to_western("٥ أكتوبر ٢٠٢٦")
    '5 أكتوبر 2026'
    >>> to_western("۱۴۰۵")  # Persian digits
    '1405'
    """
    # A chain of str.replace (each a C scan, skipped when the digit is
    # absent) is tens of times faster than str.translate on non-ASCII text,
    # which looks every character up in a dict; search indexing calls this
    # on whole article bodies.
    for digit, western in _TO_WESTERN:
        if digit in s:
            s = s.replace(digit, western)
    return s


def apply_digits(s: str, digits: str) -> str:
    """Print every digit of ``s`` in one digit system.

    Args:
        s: any text; it may mix Western, Arabic-Indic and Persian digits.
        digits: ``"latn"`` for ``0-9`` or ``"arab"`` for ``٠-٩`` (CLDR
            numbering-system ids).

    Returns:
        ``s`` with all its Western, Arabic-Indic and Persian digits in the
        chosen system (Persian digits become Arabic-Indic under ``"arab"``).

    Raises:
        ValueError: ``digits`` is not ``"latn"`` or ``"arab"``.

    >>> apply_digits("العدد ١٢ من 2026", "latn")
    'العدد 12 من 2026'
    >>> apply_digits("العدد ١٢ من 2026", "arab")
    'العدد ١٢ من ٢٠٢٦'
    >>> apply_digits("12", "thai")
    Traceback (most recent call last):
    ...
    ValueError: digits must be 'latn' or 'arab', not 'thai'
    """
    if digits == "latn":
        return to_western(s)
    if digits == "arab":
        return to_arabic_indic(to_western(s))
    raise ValueError(f"digits must be 'latn' or 'arab', not {digits!r}")
