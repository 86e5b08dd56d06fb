"""Readable Unicode slugs for Arabic (and mixed Arabic/Latin) titles.

A slug keeps the letters a reader recognises: Arabic letters stay Arabic (no
transliteration, no folding of hamza or alef forms, so ``أ`` stays ``أ``),
Latin letters are lowercased, every digit becomes ASCII, and everything else
becomes a single hyphen. The result matches Django's ``validate_unicode_slug``
(``^[-\\w]+\\Z``) and is in Unicode Normalization Form C (UAX #15), so the same
title typed on two keyboards gives the same URL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection

__all__ = ["slugify", "unique_slug"]

# Arabic combining marks (harakat, Quranic annotation signs) and tatweel, by
# Unicode block chart for Arabic (U+0600–U+06FF): removed, never hyphenated.
_ARABIC_MARKS = frozenset(
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
)
# Zero-width and bidi control characters (Unicode "Default_Ignorable" and
# "Bidi_Control"): invisible, so they are removed rather than hyphenated.
_INVISIBLE = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufeff", "\u061c", "\u2060", "\u00ad"]
)


def _slug_chars(ch: str) -> str:
    """What one NFC character contributes to a slug: kept letters/digits,
    ``""`` for a removed mark, ``"-"`` for a separator."""
    if ch in _ARABIC_MARKS or ch in _INVISIBLE:
        return ""
    category = unicodedata.category(ch)
    if category[0] == "M":  # any other combining mark: belongs to its letter
        return ""
    if category == "Nd":  # Arabic-Indic, Persian, full-width... -> 0-9
        return str(unicodedata.decimal(ch))
    if category[0] != "L":
        return "-"
    if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe":
        # Arabic presentation forms are glyph variants (isolated, final,
        # ligature...); their compatibility decomposition is the real text.
        plain = unicodedata.normalize("NFKC", ch)
        if plain != ch:
            return "".join(_slug_chars(c) for c in plain)
    name = unicodedata.name(ch, "")
    if name.startswith("ARABIC"):
        return ch
    if name.startswith("LATIN"):
        # lower() may add a combining mark ("İ" -> "i̇"); drop it.
        return "".join(c for c in ch.lower() if not unicodedata.category(c).startswith("M"))
    if name.startswith("FULLWIDTH LATIN"):
        return unicodedata.normalize("NFKC", ch).lower()
    return "-"


def _cut(slug: str, max_length: int) -> str:
    """Shorten a clean slug to ``max_length``, at a hyphen when that keeps at
    least half of the allowed length, else mid-word; no edge hyphens."""
    if len(slug) <= max_length:
        return slug
    head = slug[:max_length]
    if slug[max_length] != "-":
        boundary = head.rfind("-")
        if boundary >= max_length // 2:
            head = head[:boundary]
    return head.strip("-")


def _clean(text: str) -> str:
    """The slug of ``text`` without length limit or fallback (may be ``""``)."""
    mapped = "".join(_slug_chars(ch) for ch in unicodedata.normalize("NFC", text))
    return "-".join(part for part in mapped.split("-") if part)


def slugify(text: str, *, max_length: int = 80, fallback: str = "article") -> str:
    """A readable Unicode URL slug for a title.

    Steps: NFC-normalise (so NFD input gives the same slug); remove Arabic
    harakat and Quranic marks (U+0610–U+061A, U+064B–U+065F, U+0670,
    U+06D6–U+06ED), tatweel (U+0640), any other combining mark, and
    zero-width/bidi controls (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069,
    U+FEFF, U+061C, U+2060, soft hyphen); lowercase Latin letters; write every
    decimal digit (``٠-٩``, ``۰-۹``...) as ASCII; turn every other character
    (spaces, punctuation such as ``،`` ``؛`` ``؟`` ``—``, symbols, letters of
    other scripts) into a hyphen; collapse hyphen runs and trim them. Arabic
    presentation forms are replaced by their letters. Alef/hamza forms are
    kept as written.

    Args:
        text: a title, any length, NFC or NFD.
        max_length: maximum length of the result in characters (code points,
            not bytes; the URL-encoded form is longer). Must be >= 1.
            A longer slug is cut at a hyphen when that keeps at least half of
            ``max_length``, otherwise mid-word.
        fallback: returned (cut to ``max_length``) when ``text`` has no
            letter or digit. Must itself be a clean slug.

    Returns:
        A non-empty NFC string of letters, ASCII digits and single inner
        hyphens, at most ``max_length`` long; ``slugify`` of it is itself.

    Raises:
        ValueError: ``max_length`` < 1, or ``fallback`` is not a clean slug.

    >>> slugify("الرئيسُ يزورُ القاهرةَ — اليومَ!")
    'الرئيس-يزور-القاهرة-اليوم'
    >>> slugify("إطلاق Wagtail 8.0 في ٢٠٢٦؟")
    'إطلاق-wagtail-8-0-في-2026'
    >>> slugify("؟؟؟")
    'article'
    >>> slugify("مـــرحـبـا   بالعالم", max_length=10)
    'مرحبا'
    """
    if max_length < 1:
        raise ValueError(f"max_length must be >= 1, not {max_length}")
    if not fallback or _clean(fallback) != fallback:
        raise ValueError(f"fallback must be a clean slug, not {fallback!r}")
    slug = _cut(_clean(text), max_length)
    return slug or _cut(fallback, max_length)


def unique_slug(
    base: str,
    taken: Callable[[str], bool] | Collection[str],
    *,
    max_length: int = 80,
) -> str:
    """``base``, or ``base-2``, ``base-3``... : the first one not taken.

    The numbered form shortens ``base`` (as :func:`slugify` does) so that the
    result stays within ``max_length``; this is WordPress's convention for
    duplicate post slugs.

    Args:
        base: a slug, normally from :func:`slugify`; cut to ``max_length``
            first if longer.
        taken: either a collection of slugs already in use (tested with
            ``in``) or a predicate ``taken(slug) -> bool``; the predicate is
            called once per candidate, in order, and must eventually return
            ``False`` (a collection always does).
        max_length: maximum length of the result in characters.

    Returns:
        A slug not in ``taken``, at most ``max_length`` long.

    Raises:
        ValueError: ``base`` is empty, or ``max_length`` leaves no room for
            at least one character of ``base`` before the ``-N`` suffix.

    >>> unique_slug("الرئيس-يزور-القاهرة", {"الرئيس-يزور-القاهرة"})
    'الرئيس-يزور-القاهرة-2'
    >>> unique_slug("خبر", ["خبر", "خبر-2"])
    'خبر-3'
    >>> title = "وزير-الخارجية-يصل-إلى-عمان"  # 26 characters
    >>> unique_slug(title, {title}, max_length=26)
    'وزير-الخارجية-يصل-إلى-2'
    >>> unique_slug("abc", lambda s: s in {"abc", "abc-2"})
    'abc-3'
    """
    is_taken: Callable[[str], bool] = taken if callable(taken) else taken.__contains__
    base = _cut(base, max_length).strip("-")
    if not base:
        raise ValueError("base must be a non-empty slug")
    if not is_taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        room = max_length - len(suffix)
        stem = _cut(base, room) if room > 0 else ""
        if not stem:
            raise ValueError(f"max_length {max_length} leaves no room for {base!r}{suffix}")
        candidate = stem + suffix
        if not is_taken(candidate):
            return candidate
        n += 1
