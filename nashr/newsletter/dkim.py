"""Optional DKIM signing (RFC 6376) of newsletter messages, with dkimpy.

Used when Nashr hands messages straight to an SMTP server that does not sign
them itself; email service providers (Amazon SES, Mailgun, Postmark...) sign
for you. Configured by three settings, all or none:

- ``NASHR_DKIM_SELECTOR``: the selector, e.g. ``nashr2026`` (the public key
  is published at ``nashr2026._domainkey.<domain>`` as a TXT record);
- ``NASHR_DKIM_DOMAIN``: the signing domain (``d=``), normally the domain of
  the From address (DMARC alignment, RFC 7489 §3.1.1);
- ``NASHR_DKIM_PRIVATE_KEY_FILE``: the PEM file of the RSA private key
  (``openssl genrsa -out key.pem 2048``, or dkimpy's ``dknewkey``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

#: Signed header fields. RFC 8058 §4 requires List-Unsubscribe and
#: List-Unsubscribe-Post to be covered by a valid DKIM signature for
#: one-click unsubscribe to be honoured; the rest are what a reader sees or
#: what identifies the message.
SIGNED_HEADERS = (
    b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
    b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version", b"content-type",
)


def dkim_signer(*, selector: str, domain: str, private_key: bytes) -> Callable[[bytes], bytes]:
    """A function that signs a message with DKIM.

    Args:
        selector, domain: the ``s=`` and ``d=`` tags (ASCII).
        private_key: the RSA private key, PEM (PKCS#1 or PKCS#8) bytes.

    Returns:
        ``sign(message: bytes) -> bytes``: the message (CRLF line breaks) with
        a ``DKIM-Signature`` header (rsa-sha256, ``c=relaxed/simple``; RFC
        6376 §3.4) put in front of it. ``sign`` raises
        :class:`dkim.DKIMException` if the message cannot be signed.

    Cost: dkimpy signs with its own pure-Python RSA, about 7 ms per message
    with a 2048-bit key on the benchmark machine
    (``bench/newsletter_message.py --dkim``), some 300 times the cost of
    building the message. For large lists, let the mail server (OpenDKIM,
    rspamd) or the email service provider sign.

    Raises:
        ValueError: the key cannot be used (checked by signing a tiny
            message now, so a bad key fails at start-up, not mid-issue).
    """
    import dkim

    sel = selector.encode("ascii")
    dom = domain.encode("ascii")

    def sign(message: bytes) -> bytes:
        signature = dkim.sign(
            message, sel, dom, private_key,
            # Headers relaxed: relays refold them. Body simple: it is base64
            # lines without trailing spaces, which relaxed canonicalisation
            # would not change, and "simple" skips dkimpy's regex pass over
            # the whole body (about half the non-RSA cost per message).
            canonicalize=(b"relaxed", b"simple"),
            include_headers=list(SIGNED_HEADERS),
        )
        return signature + message

    try:
        sign(b"From: a@example.com\r\nSubject: key check\r\n\r\nok\r\n")
    except Exception as exc:  # dkimpy's key parser raises several types
        raise ValueError(f"DKIM private key is not usable: {exc!r}") from exc
    return sign


def dkim_signer_from_settings() -> Callable[[bytes], bytes] | None:
    """The DKIM signer configured by ``NASHR_DKIM_SELECTOR``,
    ``NASHR_DKIM_DOMAIN`` and ``NASHR_DKIM_PRIVATE_KEY_FILE``, or ``None``
    when none of them is set. The key file is read once, here.

    Raises:
        django.core.exceptions.ImproperlyConfigured: only some of the three
            are set, the key file cannot be read, or the key is unusable —
            sending unsigned by mistake would hurt deliverability silently.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    values = {
        "NASHR_DKIM_SELECTOR": getattr(settings, "NASHR_DKIM_SELECTOR", ""),
        "NASHR_DKIM_DOMAIN": getattr(settings, "NASHR_DKIM_DOMAIN", ""),
        "NASHR_DKIM_PRIVATE_KEY_FILE": getattr(settings, "NASHR_DKIM_PRIVATE_KEY_FILE", ""),
    }
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(f"DKIM signing needs {', '.join(missing)} as well")
    try:
        key = Path(values["NASHR_DKIM_PRIVATE_KEY_FILE"]).read_bytes()
        return dkim_signer(selector=values["NASHR_DKIM_SELECTOR"],
                           domain=values["NASHR_DKIM_DOMAIN"], private_key=key)
    except (OSError, ValueError, UnicodeError) as exc:
        raise ImproperlyConfigured(f"DKIM signing: {exc}") from exc
