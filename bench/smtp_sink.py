#!/usr/bin/env python3
"""An SMTP sink for benchmarks: accepts every message on 127.0.0.1, counts
them per recipient and records when the last one was accepted.

    python bench/smtp_sink.py --port 2525 --status status.json [--stock]

It is aiosmtpd's :class:`~aiosmtpd.smtp.SMTP` protocol (greeting, EHLO,
MAIL, RCPT, RSET, QUIT... and their checks unchanged) on an asyncio loop in
the main thread of this process, so it shares no interpreter with the sender
it measures. Two hot spots are replaced, because with them stock aiosmtpd
spends about 0.55 ms of CPU per message on this machine, more than the
smtplib client it serves, and the sink rather than the sender sets the pace
of a one-connection loop:

* ``DATA``: stock aiosmtpd reads the message one line at a time (about 220
  Python loop iterations for a 16 KB newsletter, 850 for 60 KB); this one
  reads up to the ``CRLF.CRLF`` terminator in one ``readuntil`` and undoes
  dot-stuffing (RFC 5321 section 4.5.2) with one ``replace``;
* the address in ``MAIL FROM:`` and ``RCPT TO:``: a plain ``<local@domain>``
  is taken as is instead of going through ``email._header_value_parser``
  (about 200 µs per message); anything else still does.

``--stock`` keeps aiosmtpd's own code for both, for comparison.

Files it writes (each atomically, by rename):

* ``--status``: ``{"pid", "port", "accepted", "bytes", "first_at",
  "last_at", "stock"}``, about every 0.1 s while something changed; the times are
  ``time.monotonic()`` (CLOCK_MONOTONIC, the same clock in every process on
  Linux) when a message was accepted, so a parent can compare them with its
  own or another process's monotonic times. Written first when the server
  listens (``accepted`` 0): the parent waits for that file.
* on SIGTERM or SIGINT: the status once more, with ``"recipients"`` (the
  accepted count per envelope recipient) and ``"sessions"`` (connections
  seen), then the process exits.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import signal
import time
from pathlib import Path

from aiosmtpd.smtp import MISSING, SMTP


class Counter:
    """The ``handle_DATA`` hook: count, remember the time, answer 250."""

    def __init__(self) -> None:
        self.accepted = 0
        self.bytes = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.recipients: collections.Counter[str] = collections.Counter()
        self.sessions = 0

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        self.accepted += 1
        self.bytes += len(envelope.original_content or b"")
        for rcpt in envelope.rcpt_tos:
            self.recipients[rcpt] += 1
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        return "250 2.0.0 OK accepted"


#: a plain angle-bracketed address and optional ESMTP parameters
_PLAIN_ADDR = re.compile(r"\s*<([!#-;=?-~]+@[A-Za-z0-9.-]+)>(?:\s+(.*))?\Z")


class FastSMTP(SMTP):
    """aiosmtpd's protocol with a ``DATA`` command that reads the whole
    message with one ``readuntil`` (only for senders that, like smtplib,
    end every message with CRLF before the final ``.``; smtplib adds the
    CRLF when it is missing) and a fast path for plain addresses."""

    def _getaddr(self, arg: str):
        match = _PLAIN_ADDR.match(arg or "")
        if match is None:
            return super()._getaddr(arg)
        return match.group(1), (match.group(2) or "").strip()

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        reader = self._reader
        limit = reader._limit  # the line limit for commands; lifted for the message
        reader._limit = (self.data_size_limit or 64 * 1024 * 1024) + 5
        try:
            raw = await reader.readuntil(b"\r\n.\r\n")
        except asyncio.LimitOverrunError:
            # Too big: drain what was read and refuse (RFC 5321 section 4.5.3.1.7).
            await reader.read(reader._limit)
            reader._limit = limit
            await self.push("552 Error: Too much mail data")
            self._set_post_data_state()
            return
        finally:
            reader._limit = limit
        content = raw[:-3]  # keep the CRLF that ends the last line
        if content.startswith(b"."):
            content = content[1:]
        if b"\r\n." in content:
            content = content.replace(b"\r\n..", b"\r\n.")
        self.envelope.content = content
        self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


async def serve(args) -> None:
    loop = asyncio.get_running_loop()
    counter = Counter()
    protocol = SMTP if args.stock else FastSMTP

    def factory():
        counter.sessions += 1
        return protocol(counter, hostname="nashr-bench-sink", loop=loop,
                        data_size_limit=args.data_size_limit, decode_data=False)

    server = await loop.create_server(factory, host=args.host, port=args.port)
    port = server.sockets[0].getsockname()[1]
    status_path = Path(args.status)

    def status() -> dict:
        return {"pid": os.getpid(), "port": port, "accepted": counter.accepted,
                "bytes": counter.bytes, "first_at": counter.first_at, "last_at": counter.last_at,
                "stock": bool(args.stock)}

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    write_json(status_path, status())
    written = (0, None)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.1)
        except asyncio.TimeoutError:
            pass
        now = (counter.accepted, counter.last_at)
        if now != written:
            write_json(status_path, status())
            written = now
    server.close()
    final = status()
    final["recipients"] = dict(counter.recipients)
    final["sessions"] = counter.sessions
    write_json(status_path, final)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: any free port (see the status file)")
    p.add_argument("--status", required=True, help="JSON status file to write")
    p.add_argument("--data-size-limit", type=int, default=32 * 1024 * 1024)
    p.add_argument("--stock", action="store_true", help="aiosmtpd's own DATA and address parsing")
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
