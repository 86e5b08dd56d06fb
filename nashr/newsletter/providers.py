"""Providers hand finished messages to the mail system. One small base class;
the class in use is the dotted path in ``NASHR_NEWSLETTER_PROVIDER``.

* :class:`SmtpProvider` (default): Django's SMTP backend manages the
  connection (host, port, STARTTLS/TLS, credentials and timeout from the
  ``NASHR_EMAIL_*`` settings); the message bytes built once per recipient
  are passed to it unchanged, so nothing is re-parsed or re-encoded.
* :class:`DjangoBackendProvider`: any Django email backend, for instance a
  django-anymail ESP backend (Amazon SES, Mailgun, Postmark...), which needs
  a structured message rather than bytes.
* :class:`FileProvider`: writes ``.eml`` files under
  ``NASHR_DATA_DIR/outbox/`` (development and the demo).
* :class:`MemoryProvider`: keeps messages in memory (tests).

Errors are classified for the pipeline: :class:`TransientError` (SMTP 4xx,
dropped connection, timeout — retried with backoff) and
:class:`PermanentError` (SMTP 5xx — this recipient fails, the issue goes on).
SMTP reply code classes are from RFC 5321, section 4.2.1.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


class ProviderError(Exception):
    """A message was not accepted."""


class TransientError(ProviderError):
    """Try again later: 4xx reply, dropped connection, timeout."""


class PermanentError(ProviderError):
    """Do not retry this recipient: 5xx reply."""


class BaseProvider:
    """Hands one message at a time to the mail system.

    Subclasses implement :meth:`send`; :meth:`open` and :meth:`close` are
    called around a batch so connections can be reused.
    """

    name: ClassVar[str] = "base"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send(self, *, envelope_from: str, to: str, data: bytes) -> None:
        """Send one RFC 5322 message (CRLF line endings) to ``to``.

        Raises :class:`TransientError` or :class:`PermanentError`; returns
        normally only when the mail system accepted the message.
        """
        raise NotImplementedError


def _classify_smtp(exc: Exception) -> ProviderError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        code = codes[0] if codes else 550
        detail = "; ".join(f"{c} {m.decode(errors='replace') if isinstance(m, bytes) else m}"
                           for c, m in exc.recipients.values())
        return (PermanentError if code >= 500 else TransientError)(detail)
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return (PermanentError if exc.smtp_code >= 500 else TransientError)(f"{exc.smtp_code} {message}")
    if isinstance(exc, (smtplib.SMTPServerDisconnected, socket.timeout, TimeoutError, ConnectionError, OSError)):
        return TransientError(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, smtplib.SMTPException):
        return TransientError(f"{type(exc).__name__}: {exc}")
    return TransientError(f"{type(exc).__name__}: {exc}")


class SmtpProvider(BaseProvider):
    """SMTP through Django's SMTP backend (connection settings from
    ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_USE_TLS``/``SSL``, credentials,
    ``EMAIL_TIMEOUT``). A dropped connection is reopened on the next send."""

    name = "smtp"

    def __init__(self) -> None:
        from django.core.mail import get_connection

        self._backend = get_connection("django.core.mail.backends.smtp.EmailBackend")

    def open(self) -> None:
        try:
            self._backend.open()
        except Exception as exc:  # connection refused, TLS failure, auth 4xx/5xx
            raise _classify_smtp(exc) from exc

    def close(self) -> None:
        try:
            self._backend.close()
        except Exception:
            pass

    def send(self, *, envelope_from: str, to: str, data: bytes) -> None:
        if self._backend.connection is None:
            self.open()
        try:
            self._backend.connection.sendmail(envelope_from, [to], data)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _classify_smtp(exc) from exc
        except (smtplib.SMTPResponseException, smtplib.SMTPException, OSError) as exc:
            # The session may be unusable now (e.g. 421, dropped socket):
            # drop it so the next send reconnects.
            try:
                self._backend.connection.close()
            except Exception:
                pass
            self._backend.connection = None
            raise _classify_smtp(exc) from exc


class DjangoBackendProvider(BaseProvider):
    """Any Django email backend (``NASHR_NEWSLETTER_EMAIL_BACKEND``, default
    ``EMAIL_BACKEND``), e.g. ``anymail.backends.postmark.EmailBackend``. The
    message bytes are parsed back into a structured message, which ESP APIs
    need; anymail raises ``AnymailAPIError`` for rejected sends, treated as
    transient unless the ESP reports the recipient as rejected."""

    name = "django"

    def __init__(self) -> None:
        from django.core.mail import get_connection

        backend = getattr(settings, "NASHR_NEWSLETTER_EMAIL_BACKEND", None) or settings.EMAIL_BACKEND
        self._backend = get_connection(backend)

    def open(self) -> None:
        self._backend.open()

    def close(self) -> None:
        self._backend.close()

    def send(self, *, envelope_from: str, to: str, data: bytes) -> None:
        from django.core.mail import EmailMultiAlternatives

        parsed = email.message_from_bytes(data, policy=email.policy.default)
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        headers = {k: str(v) for k, v in parsed.items()
                   if k.lower() in ("list-id", "list-unsubscribe", "list-unsubscribe-post", "message-id")}
        message = EmailMultiAlternatives(
            subject=str(parsed["Subject"]), body=text.get_content() if text else "",
            from_email=str(parsed["From"]), to=[str(parsed["To"])], headers=headers,
            connection=self._backend,
        )
        if html is not None:
            message.attach_alternative(html.get_content(), "text/html")
        try:
            sent = message.send()
        except Exception as exc:
            status = getattr(getattr(exc, "anymail_status", None), "status", None) or set()
            if status & {"rejected", "invalid"}:
                raise PermanentError(str(exc)) from exc
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if not sent:
            raise TransientError("the email backend did not send the message")


class FileProvider(BaseProvider):
    """Writes each message as ``<message-number>.eml`` under
    ``NASHR_DATA_DIR/outbox/`` so a developer or the demo can open it."""

    name = "file"

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.DATA_DIR / "outbox")

    def send(self, *, envelope_from: str, to: str, data: bytes) -> None:
        import uuid

        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"{uuid.uuid4().hex}.eml").write_bytes(data)


class MemoryProvider(BaseProvider):
    """Keeps ``(envelope_from, to, data)`` tuples in :attr:`outbox` (class
    attribute, shared by instances, for tests)."""

    name = "memory"
    outbox: ClassVar[list[tuple[str, str, bytes]]] = []

    def send(self, *, envelope_from: str, to: str, data: bytes) -> None:
        MemoryProvider.outbox.append((envelope_from, to, data))


def get_provider() -> BaseProvider:
    """An instance of the provider class named by ``NASHR_NEWSLETTER_PROVIDER``."""
    return import_string(settings.NASHR_NEWSLETTER_PROVIDER)()
