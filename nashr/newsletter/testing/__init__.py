"""Real SMTP servers on loopback for tests and benchmarks (aiosmtpd)."""

from __future__ import annotations

import collections
import email
import email.policy
import threading

from aiosmtpd.controller import Controller


class RecordingHandler:
    """Accepts every message and records it: ``messages`` is a list of
    ``(mail_from, rcpt_tos, data_bytes)``; ``accepted`` counts accepted
    messages per recipient address."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.accepted: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    def decide(self, rcpt: str, attempt: int) -> str | None:
        """``None`` to accept; an SMTP reply such as ``"451 ..."`` to refuse;
        ``"DROP"`` to drop the connection before replying."""
        return None

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0]
        with self.lock:
            attempt = self.attempts_for(rcpt)
        verdict = self.decide(rcpt, attempt)
        if verdict == "DROP":
            server.transport.close()
            return "421 4.4.2 connection dropped"
        if verdict:
            return verdict
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            for r in envelope.rcpt_tos:
                self.accepted[r] += 1
        return "250 2.0.0 OK queued"

    def attempts_for(self, rcpt: str) -> int:
        self._attempts = getattr(self, "_attempts", collections.Counter())
        self._attempts[rcpt] += 1
        return self._attempts[rcpt]

    def parsed(self):
        return [email.message_from_bytes(data, policy=email.policy.default) for _, _, data in self.messages]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """Context manager running an aiosmtpd server on 127.0.0.1 in a thread.

    >>> with SmtpServer() as server:  # doctest: +SKIP
    ...     server.port
    """

    def __init__(self, handler: RecordingHandler | None = None) -> None:
        self.handler = handler or RecordingHandler()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=free_port(), decode_data=False,
            data_size_limit=10 * 1024 * 1024,
        )

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port
