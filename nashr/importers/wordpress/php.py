"""Read PHP ``serialize()`` output (WordPress postmeta such as
``_wp_attachment_metadata``) without running anything.

Objects (``O:``) and custom-serialized objects (``C:``) are never
instantiated: an object becomes a plain ``dict`` of its properties with the
class name under ``"__class__"``, a ``C:`` payload becomes its raw string.
References (``r:``/``R:``) become ``None``. Nesting is limited to
:data:`MAX_DEPTH` so a crafted value cannot exhaust the stack.

String lengths in PHP are byte counts. Exports that passed through an editor
or a transfer that changed line endings carry strings whose declared length
no longer matches (CRLF became LF or the reverse); such a string is accepted
when the length matches after counting each LF as CRLF (or each CRLF as LF).
Format source: PHP's ``ext/standard/var_unserializer.re``.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32


class PhpUnserializeError(ValueError):
    """The value is not PHP-serialized data we can read."""


_INT = re.compile(rb"-?\d+")


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def fail(self, what: str):
        raise PhpUnserializeError(f"{what} at byte {self.pos}")

    def expect(self, token: bytes) -> None:
        if not self.data.startswith(token, self.pos):
            self.fail(f"expected {token!r}")
        self.pos += len(token)

    def until(self, stop: bytes) -> bytes:
        end = self.data.find(stop, self.pos)
        if end < 0:
            self.fail(f"missing {stop!r}")
        value = self.data[self.pos:end]
        self.pos = end + len(stop)
        return value

    def integer(self, stop: bytes) -> int:
        raw = self.until(stop)
        if not _INT.fullmatch(raw):
            self.fail("bad integer")
        return int(raw)

    def string_body(self, length: int) -> str:
        """The ``"..."`` after ``s:<length>:``, tolerating changed line endings."""
        self.expect(b'"')
        start = self.pos
        end = start + length
        if self.data[end:end + 1] == b'"' and end <= len(self.data):
            self.pos = end + 1
            return self.data[start:end].decode("utf-8", errors="replace")
        # Line endings changed in transit: find the closing '";' (or '"}'/
        # '":' inside containers) whose LF<->CRLF-adjusted length matches.
        search = start
        while True:
            close = self.data.find(b'"', search)
            if close < 0:
                self.fail("string length does not match")
            raw = self.data[start:close]
            crlf = raw.replace(b"\r\n", b"\n")
            if length in (len(raw), len(crlf), len(crlf.replace(b"\n", b"\r\n")),
                          len(raw.replace(b"\r\n", b"\n"))) and self.data[close + 1:close + 2] in (b";", b":", b"}", b""):
                self.pos = close + 1
                return raw.decode("utf-8", errors="replace")
            if close - start > length * 2 + 16:
                self.fail("string length does not match")
            search = close + 1

    def value(self, depth: int = 0):
        if depth > MAX_DEPTH:
            self.fail("nested too deeply")
        kind = self.data[self.pos:self.pos + 2]
        self.pos += 2
        if kind == b"N;":
            return None
        if kind == b"b:":
            return self.integer(b";") != 0
        if kind == b"i:":
            return self.integer(b";")
        if kind == b"d:":
            raw = self.until(b";")
            try:
                return float(raw)
            except ValueError:
                self.fail("bad float")
        if kind == b"s:":
            length = self.integer(b":")
            text = self.string_body(length)
            self.expect(b";")
            return text
        if kind == b"a:":
            count = self.integer(b":")
            return self.members(count, depth)
        if kind == b"O:":
            name_length = self.integer(b":")
            name = self.string_body(name_length)
            self.expect(b":")
            count = self.integer(b":")
            props = self.members(count, depth)
            return {"__class__": name, **{str(k).strip("\0*").strip("\0"): v for k, v in props.items()}}
        if kind == b"C:":
            name_length = self.integer(b":")
            self.string_body(name_length)
            self.expect(b":")
            length = self.integer(b":")
            self.expect(b"{")
            payload = self.data[self.pos:self.pos + length]
            self.pos += length
            self.expect(b"}")
            return payload.decode("utf-8", errors="replace")
        if kind in (b"r:", b"R:"):
            self.integer(b";")
            return None
        self.pos -= 2
        self.fail(f"unknown type {kind!r}")

    def members(self, count: int, depth: int) -> dict:
        if count < 0 or count > len(self.data):
            self.fail("bad element count")
        self.expect(b"{")
        result: dict = {}
        for _ in range(count):
            key = self.value(depth + 1)
            if not isinstance(key, (int, str)):
                self.fail("bad array key")
            result[key] = self.value(depth + 1)
        self.expect(b"}")
        return result


def php_unserialize(value: str | bytes):
    """Parse one serialized PHP value: ``None``, ``bool``, ``int``,
    ``float``, ``str`` or ``dict`` (PHP arrays keep their keys, also for
    lists). Raises :class:`PhpUnserializeError` for anything else.

    >>> php_unserialize('a:2:{s:5:"width";i:640;s:10:"image_meta";a:1:{s:9:"copyright";s:10:"وكالة";}}')
    {'width': 640, 'image_meta': {'copyright': 'وكالة'}}
    >>> php_unserialize('O:8:"stdClass":1:{s:1:"a";i:1;}')
    {'__class__': 'stdClass', 'a': 1}
    >>> php_unserialize('s:5:"a\\nb\\nc";')  # declared for CRLF, stored with LF
    'a\\nb\\nc'
    """
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    data = data.strip()
    parser = _Parser(data)
    try:
        result = parser.value()
    except (IndexError, RecursionError):
        raise PhpUnserializeError("truncated value") from None
    if parser.pos != len(data):
        raise PhpUnserializeError(f"trailing data at byte {parser.pos}")
    return result


def looks_serialized(value: str) -> bool:
    """Whether a postmeta value looks like PHP-serialized data (WordPress's
    own ``is_serialized`` test, simplified)."""
    value = (value or "").strip()
    return len(value) >= 4 and value[1] == ":" and value[0] in "aOsibdNC" and value[-1] in ";}"
