"""The link placeholders and the body parts: each part's base64 encoded once
up to its first placeholder, the tail per recipient."""

from __future__ import annotations

import base64

#: Where the recipient's one-click unsubscribe URL goes in the issue's parts.
PLACEHOLDER_UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"
#: Where the recipient's manage-preferences URL goes in the issue's parts.
PLACEHOLDER_MANAGE = "%%MANAGE_URL%%"

_UNSUB_B = PLACEHOLDER_UNSUBSCRIBE.encode("ascii")
_MANAGE_B = PLACEHOLDER_MANAGE.encode("ascii")


def _base64_lines(data: bytes) -> bytes:
    """Base64 in lines of 76 characters, each ending in CRLF (RFC 2045 §6.8)."""
    if not data:
        return b""
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


class _Part:
    """One body part: MIME headers and the base64 of its template, encoded
    once up to the last whole 76-character line before the first
    placeholder; the rest (``tail``) is substituted and encoded per
    recipient."""

    __slots__ = ("head", "tail")

    def __init__(self, content_type: str, template: str):
        # RFC 2045 §6.8 / RFC 2046 §4.1.1: text is encoded in canonical form,
        # with CRLF line breaks.
        text = template.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
        data = text.encode("utf-8")
        found = [i for i in (data.find(_UNSUB_B), data.find(_MANAGE_B)) if i >= 0]
        first = min(found) if found else len(data)
        cut = first - first % 57  # 57 bytes = one 76-character base64 line
        self.head = (
            f"Content-Type: {content_type}; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode("ascii") + _base64_lines(data[:cut])
        self.tail = data[cut:]

    def encoded_tail(self, unsubscribe: bytes, manage: bytes) -> bytes:
        return _base64_lines(self.tail.replace(_UNSUB_B, unsubscribe).replace(_MANAGE_B, manage))
