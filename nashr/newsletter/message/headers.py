"""Header encoders, pure functions: RFC 2047 encoded-words, folding, the
unstructured and one-mailbox headers, address and URL checks, and the
``Date`` value."""

from __future__ import annotations

import binascii
import re
import time

#: RFC 2047 §2: an encoded-word is at most 75 characters, and a header line
#: holding encoded-words at most 76 (stricter than RFC 5322's 78).
WORD_MAX = 75
LINE_MAX = 76
#: RFC 5322 §2.1.1: no line may ever exceed 998 characters (without CRLF).
LINE_HARD_MAX = 998

_WORD_PREFIX = "=?utf-8?b?"
_WORD_SUFFIX = "?="
_WORD_OVERHEAD = len(_WORD_PREFIX) + len(_WORD_SUFFIX)  # 12

#: Line breaks and NUL refused in anything that goes into a header: CR and LF
#: would start a new header (header injection); the others are line breaks to
#: str.splitlines() and to some mail software.
_FORBIDDEN = re.compile("[\x00\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

# RFC 5322 §3.2.3 atext.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
_ATOM_PHRASE = re.compile(rf"[{_ATEXT}]+(?: [{_ATEXT}]+)*\Z")
_SPACES = re.compile(r"\s{2,}|\t")
_PRINTABLE_ASCII = re.compile(r"[ -~]*\Z")
_SIMPLE_UNSTRUCTURED = re.compile(r"[!-~]+(?: [!-~]+)*\Z")
_DOT_ATOM = re.compile(rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*\Z")
_QUOTED_LOCAL = re.compile(r'"(?:[ !#-\[\]-~]|\\[ -~])*"\Z')
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}\Z")
#: RFC 3986 URI characters minus the comma, which would end a URI in a
#: List-Unsubscribe list (RFC 2369 §2: commas in a URL must be escaped).
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+;=%]+\Z")
_MAILTO = re.compile(r"mailto:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+;=%]+\Z")

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _refuse_line_breaks(value: str, what: str) -> None:
    if _FORBIDDEN.search(value):
        raise ValueError(f"{what} contains a line break or NUL: {value!r}")


def _max_bytes(room: int) -> int:
    """UTF-8 bytes that fit in an encoded-word of ``room`` characters
    (base64: 4 characters per 3 bytes, after the 12 characters of
    ``=?utf-8?b?`` and ``?=``)."""
    return max(0, (room - _WORD_OVERHEAD) // 4 * 3)


def encoded_words(text: str, *, first_room: int = WORD_MAX) -> list[str]:
    """``text`` as RFC 2047 "B" encoded-words in UTF-8.

    Each word holds whole characters — a multi-byte UTF-8 sequence is never
    split across two words — so each word decodes on its own, and is at most
    75 characters long (RFC 2047 §2). Whitespace between adjacent
    encoded-words is ignored by decoders (RFC 2047 §6.2), so the words can be
    folded onto separate lines and still decode to ``text``. A word ends
    just after a space when one is in reach, so a decoder that wrongly keeps
    that whitespace shows a doubled space rather than a broken word.

    Args:
        text: any ``str`` without lone surrogates (it is encoded as UTF-8).
        first_room: characters available for the first word (what is left of
            the first header line); the first word is made to fit it when at
            least one character does, else it gets the full 75.

    Returns:
        The encoded-words in order (an empty list for ``""``).

    Raises:
        UnicodeEncodeError (a ValueError): ``text`` holds a lone surrogate.

    >>> encoded_words("نشرة")
    ['=?utf-8?b?2YbYtNix2Kk=?=']
    >>> words = encoded_words("ا" * 30)  # 2 bytes each: 44 + 16, never 45 + 15
    >>> [len(w) for w in words]
    [72, 36]
    >>> encoded_words("")
    []
    """
    data = text.encode("utf-8")
    words: list[str] = []
    size = len(data)
    limit = _max_bytes(min(first_room, WORD_MAX))
    full = _max_bytes(WORD_MAX)  # 45 bytes
    start = 0
    while start < size:
        end = min(start + limit, size)
        # back off to the first byte of a character (continuation bytes are
        # 0b10xxxxxx, RFC 3629 §3)
        while end < size and end > start and (data[end] & 0xC0) == 0x80:
            end -= 1
        if end == start:  # not even one character fits the first line's room
            limit = full
            continue
        if end < size:
            # Prefer to end a word just after a space: decoders that wrongly
            # keep the whitespace between encoded-words (CPython's address
            # parser before gh-128110, some webmail) then show a double
            # space, not a word broken in two.
            space = data.rfind(b" ", start, end)
            if space > start:
                end = space + 1
        words.append(
            _WORD_PREFIX + binascii.b2a_base64(data[start:end], newline=False).decode("ascii")
            + _WORD_SUFFIX
        )
        start = end
        limit = full
    return words


def _fold(name: str, tokens: list[str]) -> str:
    """``name: tok tok`` folded before a token whenever the line would pass
    76 characters (CRLF + one space, RFC 5322 §2.2.3). The tokens are joined
    by single spaces, so unfolding gives them back exactly. A token longer
    than a line stays whole on its own line (up to 998 characters)."""
    lines: list[str] = []
    head = line = name + ":"
    for token in tokens:
        if len(line) + 1 + len(token) <= LINE_MAX or line == head:
            # The first token always stays beside the name: a header folded
            # right after its colon is legal but some parsers (Python's
            # among them) then keep a leading space in the value. Callers
            # size first tokens to fit; only a long URL or address passes 76.
            line += " " + token
        else:
            lines.append(line)
            line = " " + token
        if len(line) > LINE_HARD_MAX:
            raise ValueError(f"{name} header: a token is longer than {LINE_HARD_MAX} characters")
    lines.append(line)
    return "\r\n".join(lines)


def header_unstructured(name: str, text: str) -> str:
    """An unstructured header (``Subject``) for ``text``, folded, without
    the final CRLF.

    Plain ASCII text (printable, single spaces, no ``=?``) is written as is,
    folded at spaces; anything else becomes UTF-8 encoded-words (see
    :func:`encoded_words`), the first sized to fit after ``name: ``.
    Every line is at most 76 characters (RFC 2047 §2, within RFC 5322's 78).

    Raises:
        ValueError: ``text`` contains CR, LF, NUL or another line break.

    >>> header_unstructured("Subject", "Morning brief")
    'Subject: Morning brief'
    >>> header_unstructured("Subject", "نشرة الصباح")
    'Subject: =?utf-8?b?2YbYtNix2Kkg2KfZhNi12KjYp9it?='
    >>> print(header_unstructured("Subject", "الرئيس يزور المدينة القديمة ويفتتح السوق").replace("\\r\\n", "|\\n"))
    Subject: =?utf-8?b?2KfZhNix2KbZitizINmK2LLZiNixINin2YTZhdiv2YrZhtipIA==?=|
     =?utf-8?b?2KfZhNmC2K/ZitmF2Kkg2YjZitmB2KrYqtitINin2YTYs9mI2YI=?=
    >>> header_unstructured("Subject", "a\\nBcc: x@example.com")
    Traceback (most recent call last):
    ...
    ValueError: Subject contains a line break or NUL: 'a\\nBcc: x@example.com'
    """
    _refuse_line_breaks(text, name)
    room = LINE_MAX - len(name) - 2
    if _SIMPLE_UNSTRUCTURED.match(text) and "=?" not in text:
        tokens = text.split(" ")
        if max(len(t) for t in tokens) <= room:
            return _fold(name, tokens)
    return _fold(name, encoded_words(text, first_room=room))


def display_name_normalise(name: str) -> str:
    """A display name without leading or trailing whitespace, each tab and
    each run of two or more whitespace characters made one space: in a
    phrase such runs mean one space anyway (RFC 5322 §3.2.2), and parsers
    (Python's ``email`` among them) collapse them even inside encoded-words.

    >>> display_name_normalise("  سارة \t  الحسن ")
    'سارة الحسن'
    """
    return _SPACES.sub(" ", name).strip()


def phrase_tokens(display_name: str, *, first_room: int = WORD_MAX) -> list[str]:
    """A display name as RFC 5322 ``phrase`` tokens, to be joined by spaces.

    Atoms (ASCII ``atext`` words separated by single spaces) stay as they
    are; other printable ASCII becomes one quoted-string with ``\\`` and
    ``"`` escaped (RFC 5322 §3.2.4); anything else — Arabic, or a name
    containing ``=?`` — becomes encoded-words (RFC 2047 §5(3): an
    encoded-word may stand for a ``word`` in a phrase). The name is first
    normalised by :func:`display_name_normalise`.

    Raises:
        ValueError: CR, LF, NUL or another line break.

    >>> phrase_tokens("Nashr Daily")
    ['Nashr', 'Daily']
    >>> phrase_tokens('Dr. "Sam" O\\'Neil')
    ['"Dr. \\\\"Sam\\\\" O\\'Neil"']
    >>> phrase_tokens("سارة")
    ['=?utf-8?b?2LPYp9ix2Kk=?=']
    >>> phrase_tokens("  ")
    []
    """
    _refuse_line_breaks(display_name, "display name")
    name = display_name_normalise(display_name)
    if not name:
        return []
    if "=?" not in name:
        if _ATOM_PHRASE.match(name):
            atoms = name.split(" ")
            if max(len(atom) for atom in atoms) <= first_room:
                return atoms
        elif _PRINTABLE_ASCII.match(name):
            quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if len(quoted) <= first_room:
                return [quoted]
    return encoded_words(name, first_room=first_room)


def addr_spec(email: str) -> str:
    """An email address checked for use in a header: ``local@domain``.

    The local part must be an ASCII dot-atom or quoted-string (RFC 5322
    §3.4.1; non-ASCII local parts would need SMTPUTF8, RFC 6531, which Nashr
    does not use); an internationalised domain is converted to its ASCII
    (IDNA) form.

    Returns:
        The address with an ASCII domain.

    Raises:
        ValueError: not a usable address (CR/LF/NUL, no ``@``, spaces,
            ``<``/``>``, a non-ASCII local part, a bad domain).

    >>> addr_spec("reader@example.com")
    'reader@example.com'
    >>> addr_spec("قارئ@example.com")
    Traceback (most recent call last):
    ...
    ValueError: not a usable email address: 'قارئ@example.com'
    >>> addr_spec("reader@مثال.مصر")
    'reader@xn--mgbh0fb.xn--wgbh1c'
    """
    _refuse_line_breaks(email, "email address")
    local, at, domain = email.rpartition("@")
    if not at or not (_DOT_ATOM.match(local) or _QUOTED_LOCAL.match(local)):
        raise ValueError(f"not a usable email address: {email!r}")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"not a usable email address: {email!r}") from None
    if not _HOSTNAME.match(domain) or len(domain) > 253:
        raise ValueError(f"not a usable email address: {email!r}")
    return f"{local}@{domain}"


def header_mailbox(name: str, display_name: str, email: str) -> str:
    """A one-mailbox address header (``From``, ``To``), folded, without the
    final CRLF: ``To: display-name <local@domain>`` (RFC 5322 §3.4), or just
    ``To: local@domain`` when the display name is empty.

    Raises:
        ValueError: a line break or NUL in either input, or an unusable
            address (see :func:`addr_spec`).

    >>> header_mailbox("To", "Sam Jones", "sam@example.com")
    'To: Sam Jones <sam@example.com>'
    >>> header_mailbox("From", "نشرة الصباح", "news@example.com")
    'From: =?utf-8?b?2YbYtNix2Kkg2KfZhNi12KjYp9it?= <news@example.com>'
    >>> header_mailbox("To", "", "sam@example.com")
    'To: sam@example.com'
    """
    address = addr_spec(email)
    tokens = phrase_tokens(display_name, first_room=LINE_MAX - len(name) - 2)
    if not tokens:
        return _fold(name, [address])
    return _fold(name, tokens + [f"<{address}>"])


def _check_url(url: str, what: str, pattern: re.Pattern = _URL) -> str:
    _refuse_line_breaks(url, what)
    if not pattern.match(url) or len(url) > LINE_HARD_MAX - 4:
        raise ValueError(f"{what} is not a usable absolute URL: {url!r}")
    return url


def rfc5322_date(timestamp: float) -> str:
    """A ``Date`` header value in UTC (RFC 5322 §3.3), English names as the
    grammar requires, whatever the process locale.

    >>> rfc5322_date(0)
    'Thu, 01 Jan 1970 00:00:00 +0000'
    """
    t = time.gmtime(timestamp)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")
