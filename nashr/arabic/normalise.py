"""Arabic text normalisation for search (index time and query time alike).

Readers type the same word many ways: with or without harakat, with ``ا`` for
``أ``/``إ``/``آ``, ``ه`` for ``ة``, ``ي`` for ``ى``, on a Persian keyboard
(``ک``, ``ی``), with Arabic-Indic digits, or copied from a PDF in presentation
forms (``ﻻ``). :func:`normalise_for_search` maps all of these to one form, so
the index and the query meet. It is a lossy folding for matching only — never
store or display its output.

The folding follows the orthographic normalisation common to Arabic
information retrieval (Larkey, Ballesteros & Connell, "Improving Stemming for
Arabic Information Retrieval", SIGIR 2002: remove diacritics and tatweel,
``أ إ آ`` → ``ا``, ``ى`` → ``ي``, ``ة`` → ``ه``), extended with ``ؤ`` → ``و``,
``ئ`` → ``ي``, ``ٱ`` → ``ا`` and the Persian/Urdu letter shapes.
"""

from __future__ import annotations

import re
import unicodedata

from .digits import to_western

__all__ = ["normalise_exact", "normalise_for_search"]

# Harakat, Quranic annotation marks and tatweel (Unicode Arabic block chart,
# U+0600–U+06FF), plus zero-width and bidi controls: deleted.
_DELETE = dict.fromkeys(
    [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, 0x0640, *range(0x06D6, 0x06EE)]
    + [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    + [0xFEFF, 0x061C, 0x2060, 0x00AD]
)
#: ... as one character class (a regex scan is far faster than
#: ``str.translate`` on non-ASCII text).
_DELETE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_DELETE)) + "]+")
# Letter folding. A letter written with hamza above/below folds to its base
# letter, because the hamza mark itself (U+0654/U+0655) is deleted above.
# Pairs applied with str.replace, each a C scan skipped when the letter is
# absent: tens of times faster than str.translate on Arabic text.
_FOLD = tuple(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ى": "ي", "ئ": "ي", "ی": "ي", "ۍ": "ي", "ې": "ي",
        "ة": "ه", "ە": "ه", "ۀ": "ه", "ہ": "ه", "ۂ": "ه", "ۃ": "ه",
        "ؤ": "و",
        "ک": "ك", "ڪ": "ك",
        "ۓ": "ے",
    }.items()
)


def _pass(text: str, *, fold: bool = True) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKC", text)
    text = _DELETE_RE.sub("", text)
    if fold:
        for letter, base in _FOLD:
            if letter in text:
                text = text.replace(letter, base)
    return to_western(text)


def _stable(text: str, *, fold: bool) -> str:
    result = _pass(text, fold=fold)
    # Deleting a mark can bring a base letter next to a combining mark that
    # NFKC now composes (e.g. "e" + U+0653 + U+0301), or NFKC may yield a
    # character the folding maps; repeat until stable (one or two passes).
    while True:
        again = _pass(result, fold=fold)
        if again == result:
            break
        result = again
    return " ".join(result.split())


def normalise_exact(text: str) -> str:
    """The *exact* form of text for search: as :func:`normalise_for_search`
    but with the letters kept as written (``أ`` stays ``أ``, ``ة`` stays
    ``ة``). Harakat, tatweel, zero-width and bidi controls still go, case is
    folded and digits become ASCII: a reader cannot see those differences.
    A word whose exact form matches ranks above one that only matches folded.

    >>> normalise_exact("أَحْمَد في المدرسةِ ٢٠٢٦")
    'أحمد في المدرسة 2026'
    >>> normalise_exact(normalise_exact("إِنَّ ﻻ")) == normalise_exact("إِنَّ ﻻ") == 'إن لا'
    True
    """
    return _stable(text, fold=False)


def normalise_for_search(text: str) -> str:
    """Fold Arabic (and mixed) text to the form used for search matching.

    Steps: Unicode NFKC (so NFC, NFD and presentation-form input agree:
    ``ﻻ`` → ``لا``, ``ﷲ`` → ``الله``), case folding (Latin ``A`` → ``a``,
    ``ß`` → ``ss``); delete harakat and Quranic marks (U+064B–U+065F, U+0670,
    U+0610–U+061A, U+06D6–U+06ED), tatweel (U+0640), zero-width characters
    including ZWNJ/ZWJ (U+200B–U+200F, U+2060, U+FEFF, soft hyphen) and bidi
    controls (U+202A–U+202E, U+2066–U+2069, U+061C); fold ``أ إ آ ٱ`` → ``ا``,
    ``ى ئ`` → ``ي``, ``ة`` → ``ه``, ``ؤ`` → ``و``, Persian/Urdu ``ک`` → ``ك``,
    ``ی`` → ``ي``, ``ە ۀ ہ`` → ``ه``; Arabic-Indic and Persian digits → ASCII;
    collapse every run of whitespace to one space and trim.

    Punctuation is kept: splitting into words is the tokeniser's job.

    Args:
        text: any text, in any normalisation form.

    Returns:
        The folded text; ``""`` for text of only marks, controls or
        whitespace. Idempotent: ``normalise_for_search(r) == r`` for every
        result ``r``. Never raises.

    >>> normalise_for_search("إِنَّ الْمَكْتَبَةَ")
    'ان المكتبه'
    >>> normalise_for_search("مُسْتَشْفَى  الأطفالِ")
    'مستشفي الاطفال'
    >>> normalise_for_search("رئيس مؤتمر COVID-19 في ٢٠٢٦")
    'رييس موتمر covid-19 في 2026'
    >>> normalise_for_search("کتاب\u200cهای ﻻزم")
    'كتابهاي لازم'
    """
    return _stable(text, fold=True)
