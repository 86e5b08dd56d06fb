"""Highlighted snippets: the reader's words marked in the original text.

Everything is HTML-escaped except the ``<mark>`` tags added here.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .keys import word_keys, words

# A word of the original text: letters/digits, with harakat, Quranic marks,
# tatweel and zero-width joiners inside it (these are not \w).
_TEXT_WORD = re.compile(
    r"[^\W_](?:[^\W_]|[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200c\u200d])*"
)


def body_snippet_text(body) -> str:
    """The readable text of a body StreamValue for snippets, on one line:
    :func:`nashr.articles.blocks.body_plain_text`'s blocks, whitespace
    (line breaks, list items) collapsed, and each subheading set off from
    the text after it by `` — `` so it does not read as the start of the
    next paragraph."""
    from nashr.articles.blocks import body_plain_text

    parts: list[tuple[str, bool]] = []  # (text, is a subheading)
    for block in body:
        text = " ".join(body_plain_text([block]).split())
        if text:
            parts.append((text, block.block_type == "subheading"))
    out: list[str] = []
    for n, (text, heading) in enumerate(parts):
        out.append(text)
        if n + 1 < len(parts):
            out.append(" — " if heading else " ")
    return "".join(out)


def _matches(token: str, keys: frozenset[str]) -> bool:
    return any(k in keys for w in words(token) for k in word_keys(w).all)


def highlight(text: str, keys: frozenset[str], *, max_chars: int | None = None) -> SafeString | None:
    """``text`` escaped, with each word whose keys meet ``keys`` in
    ``<mark>``. With ``max_chars``, only a window of about that many
    characters around the first match (``…`` marks a cut). Returns None
    when ``max_chars`` is given and no word matches.

    >>> highlight('<b>المدرسة</b> & "Apple"', frozenset({"مدرس"}))
    '&lt;b&gt;<mark>المدرسة</mark>&lt;/b&gt; &amp; &quot;Apple&quot;'
    """
    text = " ".join((text or "").split())
    tokens = list(_TEXT_WORD.finditer(text))
    hits = [m for m in tokens if _matches(m.group(), keys)]
    start, end = 0, len(text)
    if max_chars is not None:
        if not hits:
            return None
        first = hits[0]
        start = max(0, first.start() - max_chars // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first.start() else first.start()
        end = min(len(text), start + max_chars)
        if end < len(text):
            space = text.rfind(" ", first.end(), end)
            end = space if space > 0 else max(end, first.end())
    out: list[str] = ["… " if start else ""]
    pos = start
    hit_spans = {(m.start(), m.end()) for m in hits}
    for m in tokens:
        if m.start() < start or m.end() > end:
            continue
        if (m.start(), m.end()) in hit_spans:
            out.append(escape(text[pos:m.start()]))
            out.append(f"<mark>{escape(m.group())}</mark>")
            pos = m.end()
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(" …")
    return mark_safe("".join(out))


def article_snippet(*, article, keys: frozenset[str], max_chars: int = 240) -> SafeString:
    """A snippet from the article's public text (standfirst, then body):
    the first passage holding a query word, marked; else the start of the
    standfirst or body, escaped. An article gated for members gives a
    snippet from its standfirst only, never its body (nashr.members)."""
    from nashr.members.selectors import article_gated

    body = "" if article_gated(article=article) else body_snippet_text(article.body)
    for text in (article.standfirst, body):
        snippet = highlight(text, keys, max_chars=max_chars)
        if snippet is not None:
            return snippet
    text = " ".join((article.standfirst or body).split())
    cut = text[:max_chars]
    return mark_safe(escape(cut) + (" …" if len(text) > max_chars else ""))
