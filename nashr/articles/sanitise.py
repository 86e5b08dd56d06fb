"""Allow-list HTML sanitising (nh3) for rich text shown to readers, and the
small text hygiene rules feeds and sitemaps need.

Rich text normally comes from Wagtail's editor, which only produces safe
markup, but stored HTML can also arrive through imports or scripts; it is
cleaned on the way out, so no path can put a script on a reader's page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

#: what an article paragraph may contain after Wagtail expanded its links
ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li", "bdi", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "dir"}, "bdi": {"dir"}, "p": {"dir"}}
SAFE_SCHEMES = {"http", "https", "mailto"}

# XML 1.0 Char production (https://www.w3.org/TR/xml/#charsets) forbids
# C0 controls other than TAB, LF and CR.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_html(html: str) -> str:
    """Sanitise an HTML fragment: only :data:`ALLOWED_TAGS`, ``href`` only
    with http(s)/mailto or relative URLs, unclosed tags closed, and
    ``rel="noopener"`` on links.

    >>> clean_html('<p onclick="x()">نص <script>alert(1)</script><a href="javascript:alert(1)">رابط</a>')
    '<p>نص <a rel="noopener">رابط</a></p>'
    """
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=SAFE_SCHEMES,
        link_rel="noopener",
    )


def safe_url(url: str) -> str:
    """``url`` when it is http(s), mailto or site-relative, else ``""``.

    >>> safe_url("https://example.org/a"), safe_url(" JavaScript:alert(1)"), safe_url("/p/3/")
    ('https://example.org/a', '', '/p/3/')
    """
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme in SAFE_SCHEMES or (not scheme and url.startswith("/") and not url.startswith("//")):
        return url
    return ""


def xml_text(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (C0 controls such as the
    vertical tab Word inserts for Shift+Enter).

    >>> xml_text("عنوان\\x0bجديد")
    'عنوانجديد'
    """
    return _XML_INVALID.sub("", text or "")
