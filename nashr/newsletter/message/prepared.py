"""A message prepared once per issue (:class:`PreparedIssue`) and the message
it builds per recipient (:class:`BuiltMessage`)."""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass
from html import escape
from typing import Callable

from .headers import (
    _DOT_ATOM,
    _MAILTO,
    LINE_MAX,
    _check_url,
    _fold,
    addr_spec,
    header_mailbox,
    header_unstructured,
    phrase_tokens,
    rfc5322_date,
)
from .parts import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE, _Part


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    """A message ready for SMTP ``DATA``: ``data`` is the whole RFC 5322
    message (CRLF line breaks, ASCII only) and ``message_id`` its
    ``Message-ID`` with the angle brackets, e.g. ``<3f2a….12@example.com>``."""

    message_id: str
    data: bytes


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
