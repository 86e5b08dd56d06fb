"""Bidirectional isolation of Latin runs inside Arabic text.

In a right-to-left paragraph, a Latin phrase mixed with neutral characters
(spaces, ``.``, ``-``, ``+``) is laid out by the Unicode Bidirectional
Algorithm (UAX #9) in ways readers do not expect: ``C++`` shows as ``++C``,
``#Nashr`` as ``Nashr#``, and the neutrals between two Latin words may take
the paragraph's direction. Wrapping each Latin run in ``<bdi dir="ltr">``
(HTML Living Standard, "The bdi element") isolates it, so it is laid out
left-to-right as a unit and does not disturb the Arabic around it.

What is a Latin run here: it starts at a Latin letter (including digits or a
``#``/``@``/``.`` written directly before it, as in ``3D``, ``#Nashr``,
``.NET``) and continues over Latin letters, their combining marks, ASCII
digits and joining characters (spaces, ``. , - & + / ' ’ : _ @ #``) while
more Latin letters or digits follow; it never begins or ends with a space,
and ends at its last letter or digit (plus directly attached ``+``/``#``, as
in ``C++``, ``C#``). So ``iPhone 16 Pro``, ``Wagtail 8.0``, ``COVID-19``,
``New York Times`` and ``S&P 500`` are each one run, a sentence's final
``.`` stays outside, and a number standing alone between Arabic words is
not wrapped: it is laid out correctly without help.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

__all__ = ["isolate_ltr", "isolate_ltr_html"]

_OPEN, _CLOSE = '<bdi dir="ltr">', "</bdi>"
_JOINERS = frozenset(" \u00a0\u202f.,-\u2010\u2011&+/'\u2019:_@#")
_TRAILERS = frozenset("+#")  # kept at the end of a run when directly attached
_LEADERS = frozenset("#@.")  # kept at the start of a run when directly attached
_DIGITS = frozenset("0123456789")

# Characters that are never a Latin letter: the Arabic script blocks,
# whitespace, ASCII digits and punctuation, the no-break space, guillemets
# and General Punctuation. Text made of nothing else has no Latin run, so
# isolating it only escapes it: the common case, checked by one regex
# instead of a look at every character.
_NOT_LATIN = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\\s\u00a0\u00ab\u00bb\u2000-\u206f"
_NO_LATIN_TEXT = re.compile(f"[{_NOT_LATIN}!-@\\[-`{{-~]*")
# The same, less the characters escaping changes (& < > " '): text of an
# HTML fragment that isolation gives back unchanged.
_NO_LATIN_HTML_TEXT = re.compile(f"[{_NOT_LATIN}!#-%(-;=?@\\[-`{{-~]*")
# A start tag that html.parser reads as one tag and writes back as it is
# (attributes with an ASCII space before them and a value quoted, or
# unquoted, with nothing in it the parser would read otherwise), or an end
# tag as the parser writes it. Anything else is left to the parser.
_SP = "[ \t\n\r\f]"
_ATTR = rf"""(?:{_SP}+[^\s"'<>/=\x00]+(?:{_SP}*={_SP}*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`\x00]+))?)"""
_TAG = re.compile(rf"<([a-z][a-z0-9]*){_ATTR}*{_SP}*/?>|</([a-z][a-z0-9]*)>")


@lru_cache(maxsize=4096)
def _kind(ch: str) -> str:
    """``L`` Latin letter, ``M`` combining mark, ``D`` ASCII digit,
    ``J`` joiner, ``O`` anything else."""
    if ch in _DIGITS:
        return "D"
    if ch in _JOINERS:
        return "J"
    category = unicodedata.category(ch)
    if category[0] == "L" and unicodedata.name(ch, "").startswith("LATIN"):
        return "L"
    if category[0] == "M":
        return "M"
    return "O"


def _runs(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of the Latin runs of ``text``, in order."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        # jump over characters that cannot start a run, one regex scan
        # instead of a look at each (most of an Arabic paragraph)
        i = _NO_LATIN_TEXT.match(text, i).end()
        if i >= n:
            break
        if _kind(text[i]) != "L":
            i += 1
            continue
        floor = runs[-1][1] if runs else 0
        start = i
        while start > floor and text[start - 1] in _DIGITS:
            start -= 1
        if start > floor and text[start - 1] in _LEADERS and (
            start - 1 == floor or _kind(text[start - 2]) not in "LDM"
        ):
            start -= 1
        end = j = i
        while j < n and _kind(text[j]) != "O":
            kind = _kind(text[j])
            # A combining mark extends the run only on the character it
            # combines with, never after a space.
            if kind in "LD" or (kind == "M" and j == end):
                end = j + 1
            j += 1
        while end < n and text[end] in _TRAILERS:
            end += 1
        runs.append((start, end))
        i = end
    return runs


def isolate_ltr(text: str) -> str:
    """Escape plain text for HTML and wrap its Latin runs in ``<bdi dir="ltr">``.

    Args:
        text: plain text (not HTML): a title, a byline, a caption.

    Returns:
        Safe HTML: ``text`` escaped with :func:`html.escape` (``& < > " '``),
        each Latin run (see the module docstring) enclosed in
        ``<bdi dir="ltr">…</bdi>``. Removing those tags and unescaping gives
        back ``text`` exactly. Never raises.

    >>> isolate_ltr("أطلقت Apple هاتف iPhone 16 Pro في 2025.")
    'أطلقت <bdi dir="ltr">Apple</bdi> هاتف <bdi dir="ltr">iPhone 16 Pro</bdi> في 2025.'
    >>> isolate_ltr("تقرير New York Times عن COVID-19 و<C++>")
    'تقرير <bdi dir="ltr">New York Times</bdi> عن <bdi dir="ltr">COVID-19</bdi> و&lt;<bdi dir="ltr">C++</bdi>&gt;'
    >>> isolate_ltr("صدر Wagtail 8.0.")
    'صدر <bdi dir="ltr">Wagtail 8.0</bdi>.'
    """
    if _NO_LATIN_TEXT.fullmatch(text):
        return escape(text)
    out: list[str] = []
    done = 0
    for start, end in _runs(text):
        out.append(escape(text[done:start]))
        out.append(_OPEN + escape(text[start:end]) + _CLOSE)
        done = end
    out.append(escape(text[done:]))
    return "".join(out)


# Elements whose text is left alone: code and preformatted text, program
# text, and elements that already set their own direction.
_SKIP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "bdi", "bdo"})
_RAW = frozenset({"script", "style"})  # their content arrives unescaped


class _Isolator(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.raw = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or "")
        self.skipping += tag in _SKIP
        self.raw += tag in _RAW

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        if tag in _RAW:
            self.raw = max(0, self.raw - 1)

    def handle_data(self, data: str) -> None:
        if self.raw:
            self.out.append(data)
        elif self.skipping:
            self.out.append(escape(data, quote=False))
        else:
            self.out.append(isolate_ltr(data))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def isolate_ltr_html(html: str) -> str:
    """:func:`isolate_ltr` for the text of an already-safe HTML fragment.

    Tags are copied as written (attribute values, such as an ``<a href>``,
    are never touched); each text node's Latin runs are wrapped in
    ``<bdi dir="ltr">``, inside any element except ``<code>``, ``<pre>``,
    ``<kbd>``, ``<samp>``, ``<script>``, ``<style>`` and existing ``<bdi>``/
    ``<bdo>``. A Latin phrase split by inline tags (``<b>New</b> York``) is
    wrapped piece by piece. Character references may be re-written
    (``&#39;`` → ``&#x27;``) but the text a reader sees never changes.

    Args:
        html: sanitised HTML, e.g. rich text after nh3. It must be
            safe already: this function does not sanitise.

    Returns:
        The fragment with Latin runs isolated. Never raises.

    >>> isolate_ltr_html('<p>زوروا <a href="https://nashr.org/Wagtail">موقع Wagtail</a> الآن</p>')
    '<p>زوروا <a href="https://nashr.org/Wagtail">موقع <bdi dir="ltr">Wagtail</bdi></a> الآن</p>'
    >>> isolate_ltr_html("<p>نفّذ <code>pip install nashr</code></p>")
    '<p>نفّذ <code>pip install nashr</code></p>'
    """
    if _unchanged_html(html):
        return html
    simple = _simple_html(html)
    if simple is not None:
        return simple
    parser = _Isolator()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def _unchanged_html(html: str) -> bool:
    """True when :func:`isolate_ltr_html` would give ``html`` back as it
    is: simple tags only (each written as the parser writes it back) and,
    between them, text with no Latin letter and nothing to escape.

    >>> _unchanged_html('<p>نص <a href="https://nashr.org/" rel="noopener">«رابط»</a>.</p>')
    True
    >>> _unchanged_html("<p>نص Nashr</p>"), _unchanged_html("<p>نص &amp; نص</p>"), _unchanged_html("<P>نص</P>")
    (False, False, False)
    """
    done = 0
    for tag in _TAG.finditer(html):
        if not _NO_LATIN_HTML_TEXT.fullmatch(html, done, tag.start()):
            return False
        done = tag.end()
    return _NO_LATIN_HTML_TEXT.fullmatch(html, done) is not None


# Elements whose content some versions of html.parser read as text, not
# tags (RAWTEXT/RCDATA in newer Pythons): a fragment with one of them is
# left to the parser.
_PARSER_SPECIAL = _SKIP | {"textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}


def _simple_html(html: str) -> str | None:
    """What the parser in :func:`isolate_ltr_html` makes of ``html``, worked
    out without it when the fragment is simple: every tag written as the
    parser writes it back (:data:`_TAG`), none of ``code``/``pre``/``bdi``…
    (:data:`_SKIP`) or of the elements some parsers read as text, and text
    between tags with no ``& < >`` (no character reference to convert,
    nothing that could belong to a tag). Each text node then reaches
    :func:`isolate_ltr` as the parser would pass it. ``None`` for any other
    fragment (the parser decides)."""
    out: list[str] = []
    done = 0
    for tag in _TAG.finditer(html):
        text = html[done:tag.start()]
        if "&" in text or "<" in text or ">" in text:
            return None
        if (tag.group(1) or tag.group(2)) in _PARSER_SPECIAL:
            return None
        out.append(isolate_ltr(text))
        out.append(tag.group())
        done = tag.end()
    text = html[done:]
    if "&" in text or "<" in text or ">" in text:
        return None
    out.append(isolate_ltr(text))
    return "".join(out)


#: Explicit embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO,
#: LRI, RLI, FSI, PDI). Unicode Standard Annex #9, section 2. Marks (LRM, RLM,
#: ALM) have no scope and are kept.
_SCOPED_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None
)
_SCOPED_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi_controls(text: str) -> str:
    """Remove scoped bidi controls (UAX #9 embeddings, overrides and
    isolates) from plain text, so one field can never reverse the text that
    follows it on the page. Display layout is handled by ``<bdi>`` instead.

    >>> strip_bidi_controls("ليلى\\u202e و Nadia")
    'ليلى و Nadia'
    >>> strip_bidi_controls("\\u200fنص")  # a right-to-left mark has no scope
    '\\u200fنص'
    """
    if _SCOPED_CONTROL_RE.search(text) is None:
        # the common case: one regex scan, ~10x faster than translate(); a
        # plain str back, as translate() gives, even for a str subclass
        # (a SafeString must not stay "safe" because it had no control)
        return text if type(text) is str else str.__str__(text)
    return text.translate(_SCOPED_CONTROLS)
