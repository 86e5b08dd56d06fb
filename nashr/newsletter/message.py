"""Newsletter messages built per recipient in microseconds, as RFC 5322 bytes.

Python's :class:`email.message.EmailMessage` parses and re-folds every header
and re-encodes every part each time a message is made: about 10 ms for a
45 KB issue on the benchmark machine (``bench/newsletter_message.py``), which
alone would cap a worker at about a hundred messages a second (issue 3,
"Speed and memory"). A newsletter issue sends the same message to everyone
except for the ``To`` header, the ``Message-ID``, the ``Date`` and two links.
So :class:`PreparedIssue` encodes everything else once per issue, and
:meth:`PreparedIssue.build` only fills in the per-recipient parts:

- headers that never vary (``From``, ``Subject``, ``List-Id``,
  ``MIME-Version``, ``Content-Type``...) are kept as ready bytes;
- each body part is stored base64-encoded up to the last whole 57-byte group
  (one 76-character base64 line, RFC 2045 §6.8) before its first
  placeholder; per recipient only the tail (the footer, where the
  unsubscribe and manage links are) is substituted and encoded.

The message (RFC 5322, MIME RFC 2045/2046) is ``multipart/alternative`` with a
``text/plain`` and a ``text/html`` part, both UTF-8 and base64 with CRLF line
breaks. Non-ASCII header text (an Arabic subject or display name) is written
as RFC 2047 "B" encoded-words that each hold whole UTF-8 characters, so every
encoded-word decodes on its own (some clients decode word by word and show
mojibake otherwise). Headers ``List-Id`` (RFC 2919), ``List-Unsubscribe``
(RFC 2369) and ``List-Unsubscribe-Post`` (RFC 8058, one-click unsubscribe)
are always present; ``Precedence: bulk`` lets vacation responders stay quiet
(RFC 3834 §2).

The header encoders are pure functions with doctests; this module imports
Django only in :func:`issue_prepare`.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import time
import uuid
from dataclasses import dataclass
from html import escape
from typing import Callable

__all__ = [
    "PLACEHOLDER_UNSUBSCRIBE",
    "PLACEHOLDER_MANAGE",
    "BuiltMessage",
    "PreparedIssue",
    "issue_prepare",
    "prepare_issue",
    "encoded_words",
    "header_unstructured",
    "header_mailbox",
    "phrase_tokens",
    "display_name_normalise",
    "addr_spec",
]

#: Where the recipient's one-click unsubscribe URL goes in the issue's parts.
PLACEHOLDER_UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"
#: Where the recipient's manage-preferences URL goes in the issue's parts.
PLACEHOLDER_MANAGE = "%%MANAGE_URL%%"

_UNSUB_B = PLACEHOLDER_UNSUBSCRIBE.encode("ascii")
_MANAGE_B = PLACEHOLDER_MANAGE.encode("ascii")

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


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    """A message ready for SMTP ``DATA``: ``data`` is the whole RFC 5322
    message (CRLF line breaks, ASCII only) and ``message_id`` its
    ``Message-ID`` with the angle brackets, e.g. ``<3f2a….12@example.com>``."""

    message_id: str
    data: bytes


def rfc5322_date(timestamp: float) -> str:
    """A ``Date`` header value in UTC (RFC 5322 §3.3), English names as the
    grammar requires, whatever the process locale.

    >>> rfc5322_date(0)
    'Thu, 01 Jan 1970 00:00:00 +0000'
    """
    t = time.gmtime(timestamp)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


class PreparedIssue:
    """Everything about one issue's message that does not vary per recipient,
    encoded once. Build one per issue (per worker), then call :meth:`build`
    for each recipient.

    Args:
        issue_id: the issue's primary key, put in every ``Message-ID``.
        subject: the subject (any text without line breaks).
        from_name, from_email: the sender's display name and address.
        html_template, text_template: the issue's parts, containing
            :data:`PLACEHOLDER_UNSUBSCRIBE` (required, in both: the body must
            offer an unsubscribe link) and optionally :data:`PLACEHOLDER_MANAGE`.
        site_name: the list's description in ``List-Id``.
        domain: the site's host name; used in ``List-Id``
            (``<newsletter.DOMAIN>``, RFC 2919) and on the right of every
            ``Message-ID`` (RFC 5322 §3.6.4).
        unsubscribe_mailto: the address for the ``mailto:`` URI of
            ``List-Unsubscribe`` (RFC 2369), with ``?subject=unsubscribe``.
        signer: optional callable taking the message bytes and returning them
            signed (see :func:`nashr.newsletter.dkim.dkim_signer_from_settings`).

    Raises:
        ValueError: a line break or NUL in a header input, an unusable
            address or domain, or no unsubscribe placeholder in a part.
    """

    def __init__(self, *, issue_id: int | str, subject: str, from_name: str, from_email: str,
                 html_template: str, text_template: str, site_name: str, domain: str,
                 unsubscribe_mailto: str, signer: Callable[[bytes], bytes] | None = None):
        for part, template in (("html_template", html_template), ("text_template", text_template)):
            if PLACEHOLDER_UNSUBSCRIBE not in template:
                raise ValueError(f"{part} has no {PLACEHOLDER_UNSUBSCRIBE} placeholder")
        domain = addr_spec(f"x@{domain}").split("@", 1)[1]
        issue_ref = str(issue_id)
        if not _DOT_ATOM.match(issue_ref):
            raise ValueError(f"issue_id is not usable in a Message-ID: {issue_id!r}")
        self.from_email = addr_spec(from_email)
        self.domain = domain
        self.signer = signer
        self._id_suffix = f".{issue_ref}@{domain}>"
        mailto = _check_url(f"mailto:{addr_spec(unsubscribe_mailto)}?subject=unsubscribe",
                            "unsubscribe mailto", _MAILTO)
        self._mailto = f"<{mailto}>"
        # A boundary that cannot occur in base64 text ("=" only ends a base64
        # line, never precedes "_"), so no scan of the body is needed.
        boundary = f"=_nashr_{uuid.uuid4().hex}"
        list_id = _fold("List-Id", phrase_tokens(site_name, first_room=LINE_MAX - 9)
                        + [f"<newsletter.{domain}>"])
        self._before_to = (header_mailbox("From", from_name, from_email) + "\r\n").encode("ascii")
        self._after_to = (header_unstructured("Subject", subject) + "\r\n").encode("ascii")
        self._fixed = (
            "MIME-Version: 1.0\r\n"
            + list_id + "\r\n"
            + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            + "Precedence: bulk\r\n"
            + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
            + "\r\n"
            + f"--{boundary}\r\n"
        ).encode("ascii")
        self._between = f"--{boundary}\r\n".encode("ascii")
        self._end = f"--{boundary}--\r\n".encode("ascii")
        self._text = _Part("text/plain", text_template)
        self._html = _Part("text/html", html_template)
        self._date_second = -1
        self._date = b""
        # Message-IDs: a random 128-bit prefix per prepared issue (a new one
        # in every worker process) and a counter: unique without a call to
        # os.urandom per message (uuid4() makes one; in a worker with SMTP
        # threads each such call also waits to get the interpreter lock
        # back: about 90 µs a message in the profile).
        self._id_prefix = uuid.uuid4().hex
        self._id_counter = itertools.count()

    def _date_header(self) -> bytes:
        # formatted once a second, not once a message
        now = int(time.time())
        if now != self._date_second:
            self._date = f"Date: {rfc5322_date(now)}\r\n".encode("ascii")
            self._date_second = now
        return self._date

    def build(self, *, to_email: str, to_name: str, unsubscribe_url: str,
              manage_url: str) -> BuiltMessage:
        """The complete message for one recipient.

        Args:
            to_email: the recipient's address (ASCII local part; an IDN
                domain is converted).
            to_name: the recipient's display name, may be empty or Arabic.
            unsubscribe_url: the recipient's one-click unsubscribe URL
                (``https://``; ``http://`` is accepted for development):
                written into ``List-Unsubscribe`` and in place of
                :data:`PLACEHOLDER_UNSUBSCRIBE` in both parts.
            manage_url: the recipient's preferences URL, in place of
                :data:`PLACEHOLDER_MANAGE`.

        Returns:
            A :class:`BuiltMessage` with a new, unique ``Message-ID``
            (``<RANDOMHEX COUNTERHEX.ISSUE@DOMAIN>``, no space: 32 random hex
            digits per prepared issue, then a per-message counter in hex) and the message bytes (signed when
            a signer was given).

        Raises:
            ValueError: a line break or NUL in any input, an unusable address,
                or a URL that is not an absolute http(s) URL of RFC 3986
                characters (without commas).
        """
        to_line = header_mailbox("To", to_name, to_email)
        _check_url(unsubscribe_url, "unsubscribe_url")
        _check_url(manage_url, "manage_url")
        message_id = f"<{self._id_prefix}{next(self._id_counter):x}{self._id_suffix}"
        unsub = unsubscribe_url.encode("ascii")
        manage = manage_url.encode("ascii")
        data = b"".join((
            self._before_to,
            to_line.encode("ascii"), b"\r\n",
            self._after_to,
            self._date_header(),
            b"Message-ID: ", message_id.encode("ascii"), b"\r\n",
            _fold("List-Unsubscribe", [f"<{unsubscribe_url}>,", self._mailto]).encode("ascii"),
            b"\r\n",
            self._fixed,
            self._text.head, self._text.encoded_tail(unsub, manage),
            self._between,
            self._html.head,
            self._html.encoded_tail(escape(unsubscribe_url).encode("ascii"),
                                    escape(manage_url).encode("ascii")),
            self._end,
        ))
        if self.signer is not None:
            data = self.signer(data)
        return BuiltMessage(message_id=message_id, data=data)


def site_domain(site_url: str) -> str:
    """The host of an absolute URL, without port or user info.

    >>> site_domain("https://news.example.com:8443/path")
    'news.example.com'
    >>> site_domain("http://127.0.0.1:8000")
    '127.0.0.1'
    """
    from urllib.parse import urlsplit

    host = urlsplit(site_url).hostname
    if not host:
        raise ValueError(f"no host in {site_url!r}")
    return host


def issue_prepare(*, issue, subject_prefix: str = "",
                  signer: Callable[[bytes], bytes] | None | bool = True) -> PreparedIssue:
    """A :class:`PreparedIssue` for an :class:`~nashr.newsletter.models.Issue`,
    from the settings ``NASHR_NEWSLETTER_FROM_NAME``,
    ``NASHR_NEWSLETTER_FROM_EMAIL``, ``NASHR_SITE_NAME``, ``SITE_URL`` (its
    host) and ``NASHR_UNSUBSCRIBE_MAILTO``.

    The parts are the issue's stored ``html_template``/``text_template``;
    when those are empty they are rendered now with
    :func:`nashr.newsletter.rendering.issue_render` (and not saved).
    ``subject_prefix`` goes before the subject (``"[تجربة] "`` for a test
    send).
    ``signer=True`` (the default) signs with DKIM when the
    ``NASHR_DKIM_*`` settings are set; pass ``None`` not to sign, or a
    callable of your own.

    Raises:
        ValueError: as :class:`PreparedIssue`, or the issue has no article
            and no stored parts.
        django.core.exceptions.ImproperlyConfigured: DKIM half configured.
    """
    from django.conf import settings

    html, text = issue.html_template, issue.text_template
    if not html or not text:
        from .rendering import issue_render

        html, text = issue_render(issue=issue)
    if signer is True:
        from .dkim import dkim_signer_from_settings

        signer = dkim_signer_from_settings()
    return PreparedIssue(
        issue_id=issue.pk,
        subject=subject_prefix + issue.subject,
        from_name=settings.NASHR_NEWSLETTER_FROM_NAME,
        from_email=settings.NASHR_NEWSLETTER_FROM_EMAIL,
        html_template=html,
        text_template=text,
        site_name=settings.NASHR_SITE_NAME,
        domain=site_domain(settings.SITE_URL),
        unsubscribe_mailto=settings.NASHR_UNSUBSCRIBE_MAILTO,
        signer=signer or None,
    )


#: The same as :func:`issue_prepare` (the house's ``<noun>_<verb>`` name);
#: kept for callers written against the first draft of this module.
prepare_issue = issue_prepare
