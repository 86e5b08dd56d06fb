"""Plain text from HTML, word counts and reading time for Arabic articles.

Reading speed: 138 words per minute is the mean Arabic reading speed in
Trauzettel-Klosinski S., Dietz K. and the IReST Study Group, "Standardized
Assessment of Reading Performance: The New International Reading Speed Texts
IReST", Investigative Ophthalmology & Visual Science 53(9):5452–5461, 2012,
doi:10.1167/iovs.11-8284 (Arabic: 138 ± 20 words/min; mean over its 17
languages 184 ± 29). The study timed normally-sighted native speakers aged
18–35 reading matched paragraphs *aloud*; silent reading is faster, so for
it the estimated time is, if anything, too long. Arabic scores fewer words per minute than
European languages partly because prefixes (و، ف، ب، ل، ال) and pronoun
suffixes attach to the word, so one Arabic word often carries what English
spells as two or three.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from .counting import count_phrase

__all__ = [
    "ARABIC_WORDS_PER_MINUTE",
    "strip_html",
    "word_count",
    "reading_time_minutes",
    "format_reading_time",
]

#: Mean Arabic reading speed, words per minute (IReST 2012, see above).
ARABIC_WORDS_PER_MINUTE = 138

# Elements whose content is not read (program text, templates).
_SKIP = frozenset({"script", "style", "template"})
# Elements that start a new line of text (HTML Living Standard, "flow"
# content that is not phrasing content), so "<p>a</p><p>b</p>" is "a\nb".
_BLOCK = frozenset(
    "address article aside blockquote br dd details div dl dt figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def strip_html(html: str) -> str:
    """The readable text of an HTML fragment.

    Tags and comments are removed, character references are decoded
    (``&amp;`` → ``&``, ``&#1605;`` → ``م``), and the contents of
    ``<script>``, ``<style>`` and ``<template>`` are dropped. Block elements
    (``p``, ``div``, ``li``, headings, ``br``...) become line breaks so words
    on either side do not run together; inline elements (``a``, ``b``,
    ``span``...) add nothing, so ``<b>كتاب</b>ان`` stays one word. Parsed with
    the standard library's :class:`html.parser.HTMLParser`, which does not
    raise on malformed markup.

    Args:
        html: an HTML fragment or document (``str``, any length).

    Returns:
        Plain text: lines separated by ``"\\n"``, each line's whitespace runs
        collapsed to one space, empty lines removed, no edge whitespace.

    >>> strip_html('<p>قال <a href="/x">الوزير</a> &laquo;نعم&raquo;</p><p>وانتهى.</p>')
    'قال الوزير «نعم»\\nوانتهى.'
    >>> strip_html("<style>p{color:red}</style>نص<script>alert(1)</script>")
    'نص'
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# Word separators besides whitespace: zero-width space, dashes, ellipsis,
# slash, brackets, quotation marks and Arabic/Latin sentence punctuation that
# writers sometimes type without a following space.
_SEPARATORS = re.compile(r"[\s\u200b—–…/|()\[\]{}«»“”„\"،؛؟!?]+")


def _is_word(token: str) -> bool:
    # Tatweel (U+0640) is a letter by category (Lm) but only stretches a word.
    return any(unicodedata.category(ch)[0] in "LN" and ch != "\u0640" for ch in token)


def word_count(text: str) -> int:
    """The number of words in plain Arabic, Latin or mixed text.

    A word is a run of characters between whitespace or separating
    punctuation (dashes, ellipsis, slash, brackets, quotes, ``،`` ``؛``
    ``؟`` ``!``) that contains at least one letter or digit. So an Arabic word
    with attached prefixes and suffixes (``وبكتابهم``) is one word, harakat
    and tatweel never split a word, ``COVID-19``, ``8.0`` and ``1,500`` are
    one word each, and punctuation standing alone (``—``, ``...``, ``!``) is
    not a word. Pass HTML through :func:`strip_html` first.

    Args:
        text: plain text (``str``).

    Returns:
        A count >= 0.

    >>> word_count("وقال الرئيسُ: «سنبدأ العملَ غداً» — ثم غادر.")
    7
    >>> word_count("أطلقت Apple هاتف iPhone 16 Pro بسعر 1,199 دولاراً!")
    9
    >>> word_count(" ... — ! ")
    0
    """
    return sum(1 for token in _SEPARATORS.split(text) if token and _is_word(token))


def reading_time_minutes(text: str, *, words_per_minute: int = ARABIC_WORDS_PER_MINUTE) -> int:
    """Estimated reading time of plain text, in whole minutes.

    ``ceil(word_count(text) / words_per_minute)``, but at least 1 for any
    text that is not empty or whitespace only.

    Args:
        text: plain text (strip HTML first with :func:`strip_html`).
        words_per_minute: reading speed; the default 138 is the IReST
            Arabic mean (Trauzettel-Klosinski & Dietz, IOVS 2012).

    Returns:
        Minutes, rounded up: 0 only for empty or whitespace-only text.

    Raises:
        ValueError: ``words_per_minute`` < 1.

    >>> reading_time_minutes("")
    0
    >>> reading_time_minutes("خبر عاجل")
    1
    >>> reading_time_minutes("كلمة " * 139)  # 139 words at 138 per minute
    2
    """
    if words_per_minute < 1:
        raise ValueError(f"words_per_minute must be >= 1, not {words_per_minute}")
    if not text.strip():
        return 0
    words = word_count(text)
    return max(1, -(-words // words_per_minute))


def format_reading_time(minutes: int, *, digits: str = "latn") -> str:
    """A duration in minutes as an Arabic phrase with the correct plural.

    The noun form follows the CLDR Arabic plural categories (Unicode CLDR
    ``plurals.xml``, locale ``ar``) as CLDR's own ``duration-minute`` unit
    patterns do, except that 1 reads "دقيقة واحدة" rather than a bare noun:

    ========  =====================  ===============
    category  numbers                phrase
    ========  =====================  ===============
    zero      0                      ``0 دقيقة``
    one       1                      ``دقيقة واحدة``
    two       2                      ``دقيقتان``
    few       n % 100 in 3..10       ``N دقائق``
    many      n % 100 in 11..99      ``N دقيقة``
    other     100, 101, 102, 200...  ``N دقيقة``
    ========  =====================  ===============

    Only the duration is returned; templates add the context
    ("مدة القراءة: ...").

    Args:
        minutes: whole minutes, >= 0.
        digits: ``"latn"`` (``0-9``) or ``"arab"`` (``٠-٩``).

    Returns:
        The phrase, e.g. ``"5 دقائق"``.

    Raises:
        ValueError: ``minutes`` < 0, or ``digits`` is not ``"latn"``/``"arab"``.

    >>> [format_reading_time(n) for n in (1, 2, 3, 10, 11, 100, 103)]
    ['دقيقة واحدة', 'دقيقتان', '3 دقائق', '10 دقائق', '11 دقيقة', '100 دقيقة', '103 دقائق']
    >>> format_reading_time(5, digits="arab")
    '٥ دقائق'
    """
    if minutes < 0:
        raise ValueError(f"minutes must be >= 0, not {minutes}")
    return count_phrase(minutes, one="دقيقة واحدة", two="دقيقتان", few="{n} دقائق", many="{n} دقيقة",
                        digits=digits)
