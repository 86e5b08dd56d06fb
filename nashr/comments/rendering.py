"""Plain comment text to safe HTML, and the locally drawn avatars.

A comment is stored exactly as typed (plain text); it becomes HTML only
here, on the way out: everything is escaped, blank lines separate
paragraphs, single line breaks become ``<br>``, and http(s) URLs become
links with ``rel="nofollow ugc noopener"`` (the ``ugc`` value is Google's
"user-generated content" link attribute, 2019). Scoped bidi controls
(UAX #9 embeddings, overrides, isolates) are dropped so a comment can never
reverse the text after it; Latin runs are isolated with ``<bdi dir="ltr">``
(:func:`nashr.arabic.bidi.isolate_ltr`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from nashr.arabic.bidi import isolate_ltr, strip_bidi_controls

__all__ = ["comment_body_html", "comment_text_clean", "author_url_clean", "avatar_for", "count_links"]

LINK_REL = "nofollow ugc noopener"

# An http(s) URL up to the next space or character that cannot be in one.
_URL = re.compile(r"https?://[^\s<>\"'\u00a0\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the URL (Latin and Arabic).
_TRAILING = ".,;:!?)]}\u060c\u061b\u061f\u06d4\u00bb\u201d\u2019"
_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")


def comment_text_clean(text: str) -> str:
    """Text fit for display: scoped bidi controls removed, line ends
    normalised to ``\\n``, NUL and other C0 controls (except tab and line
    feed) dropped.

    >>> comment_text_clean("سطر\\r\\nآخر\\u202e!\\x00")
    'سطر\\nآخر!'
    """
    text = strip_bidi_controls(text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _split_url(match_text: str) -> tuple[str, str]:
    """``(url, trailing text)``: sentence punctuation and an unbalanced
    closing parenthesis at the end belong to the text, not the URL."""
    url = match_text
    tail = ""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    return url, tail


def _link(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. "http://[::1": not a URL a browser could open
        return escape(url)
    if parts.scheme.lower() not in ("http", "https") or not host:
        return escape(url)
    return f'<a href="{escape(url)}" rel="{LINK_REL}" dir="ltr">{escape(url)}</a>'


def _line_html(line: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(line):
        url, tail = _split_url(match.group(0))
        out.append(isolate_ltr(line[pos:match.start()]))
        out.append(_link(url))
        out.append(isolate_ltr(tail))
        pos = match.end()
    out.append(isolate_ltr(line[pos:]))
    return "".join(out)


def comment_body_html(text: str) -> SafeString:
    """A comment's plain text as HTML paragraphs.

    Args:
        text: the body as the reader typed it (any length, any characters).

    Returns:
        Safe HTML: ``<p dir="auto">`` per paragraph (separated by a blank
        line), ``<br>`` for single line breaks, every character escaped,
        http(s) URLs as ``<a href rel="nofollow ugc noopener" dir="ltr">``.
        Nothing else ever becomes markup: no other scheme is linked.

    >>> str(comment_body_html("مرحبا <b>\\n\\nانظر https://example.org/a_(b). شكرًا"))
    '<p dir="auto">مرحبا &lt;<bdi dir="ltr">b</bdi>&gt;</p>\\n<p dir="auto">انظر <a href="https://example.org/a_(b)" rel="nofollow ugc noopener" dir="ltr">https://example.org/a_(b)</a>. شكرًا</p>'
    >>> str(comment_body_html("javascript:alert(1)"))
    '<p dir="auto"><bdi dir="ltr">javascript:alert</bdi>(1)</p>'
    """
    text = comment_text_clean(text).strip()
    paragraphs = [p.strip("\n") for p in _PARAGRAPHS.split(text) if p.strip()]
    html = "\n".join(
        '<p dir="auto">' + "<br>\n".join(_line_html(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return mark_safe(html)  # noqa: S308 - every piece above is escaped


def count_links(text: str) -> int:
    """How many http(s) URLs :func:`comment_body_html` would link.

    >>> count_links("a http://x.org b https://y.org/ c www.z.org")
    2
    """
    return len(_URL.findall(text or ""))


def author_url_clean(url: str) -> str:
    """The commenter's website, kept only when it is an http(s) URL with a
    host; anything else (``javascript:``, ``data:``, a bare word) becomes
    ``""``. A missing scheme gets ``https://`` (people type
    ``example.org``).

    >>> author_url_clean(" Example.org/me "), author_url_clean("JaVaScRiPt:alert(1)")
    ('https://Example.org/me', '')
    >>> author_url_clean("data:text/html,x"), author_url_clean("http://ok.example/")
    ('', 'http://ok.example/')
    """
    url = comment_text_clean(url or "").strip()
    if not url or any(ch.isspace() or ch in '<>"\'`\\{}|^' for ch in url):
        return ""
    try:
        scheme = urlsplit(url).scheme.lower()
        if not scheme and "." in url.split("/", 1)[0] and ":" not in url.split("/", 1)[0]:
            url = "https://" + url
            scheme = "https"
        if scheme not in ("http", "https"):
            return ""
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        return ""
    if not host or "." not in host or len(url) > 200:
        return ""
    return url


def avatar_for(name: str) -> dict:
    """Initials and a hue for a commenter's avatar, drawn by CSS on the
    page: no image is ever fetched from anyone (unlike Gravatar, which
    would tell a third party who reads what).

    Returns ``{"initials": up to two letters, "hue": 0-359}``; the hue comes
    from a SHA-256 of the name, so the same name keeps its colour.

    >>> avatar_for("سارة العلي")["initials"], avatar_for("john smith")["initials"], avatar_for("<>")["initials"]
    ('سع', 'JS', '؟')
    """
    name = comment_text_clean(name)
    words = ["".join(ch for ch in word if ch.isalpha()) for word in name.split()]
    words = [w for w in words if w]
    if not words:
        initials = "؟"
    else:
        picked = [words[0], words[-1]] if len(words) > 1 else [words[0]]
        # "العلي" -> "ع": the article "ال" says nothing about the person
        initials = "".join((w[2] if w.startswith("ال") and len(w) > 2 else w[0]) for w in picked).upper()
    digest = hashlib.sha256(name.strip().lower().encode("utf-8", "surrogatepass")).digest()
    return {"initials": initials, "hue": int.from_bytes(digest[:2], "big") % 360}
