"""DKIM signing of built messages (dkimpy), verified with a real RSA key made
by ``openssl`` (dkimpy's ``dknewkey``) and a fake DNS answering with its
public key record."""

from __future__ import annotations

import re

import dkim
import pytest
from dkim import dknewkey
from django.core.exceptions import ImproperlyConfigured

from nashr.newsletter.dkim import dkim_signer_from_settings
from nashr.newsletter.message import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE, PreparedIssue


@pytest.fixture(scope="module")
def rsa_key(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dkim")
    private, record = folder / "nashr.pem", folder / "nashr.dns"
    dknewkey.GenRSAKeys(str(private), verbose=False)
    dknewkey.ExtractRSADnsPublicKey(str(private), str(record), verbose=False)
    return private, record.read_bytes()


@pytest.fixture
def dkim_settings(settings, rsa_key):
    settings.NASHR_DKIM_SELECTOR = "nashr2026"
    settings.NASHR_DKIM_DOMAIN = "example.com"
    settings.NASHR_DKIM_PRIVATE_KEY_FILE = str(rsa_key[0])
    return settings


def fake_dns(record: bytes):
    asked = []

    def dnsfunc(name, timeout=5):
        asked.append(name)
        return record if name == b"nashr2026._domainkey.example.com." else None

    dnsfunc.asked = asked
    return dnsfunc


def build(signer):
    issue = PreparedIssue(
        issue_id=3, subject="عدد الصباح: الرئيس يزور المدينة", from_name="نشرة الصباح",
        from_email="news@example.com",
        html_template=f'<p dir="rtl">نص</p><a href="{PLACEHOLDER_UNSUBSCRIBE}">x</a>{PLACEHOLDER_MANAGE}',
        text_template=f"نص\n{PLACEHOLDER_UNSUBSCRIBE}\n{PLACEHOLDER_MANAGE}\n",
        site_name="نشرة الصباح", domain="example.com", unsubscribe_mailto="unsubscribe@example.com",
        signer=signer,
    )
    return issue.build(to_email="reader@example.org", to_name="سارة الحسن",
                       unsubscribe_url="https://example.com/newsletter/u/abc",
                       manage_url="https://example.com/newsletter/m/abc")


def test_signed_message_verifies_and_covers_the_list_headers(dkim_settings, rsa_key):
    signer = dkim_signer_from_settings()
    assert signer is not None
    data = build(signer).data
    assert data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.com;")
    dnsfunc = fake_dns(rsa_key[1])
    assert dkim.verify(data, dnsfunc=dnsfunc)
    assert dnsfunc.asked == [b"nashr2026._domainkey.example.com."]
    header = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    signed = re.search(r"h=([^;]*);", header.replace("\r\n", "")).group(1)
    names = {name.strip() for name in signed.split(":")}
    # RFC 8058 §4: the one-click headers must be covered by the signature
    assert {"from", "to", "subject", "date", "message-id", "list-unsubscribe",
            "list-unsubscribe-post", "mime-version", "content-type"} <= names


def test_a_changed_message_no_longer_verifies(dkim_settings, rsa_key):
    data = build(dkim_signer_from_settings()).data
    forged = data.replace(b"https://example.com/newsletter/u/abc", b"https://evil.example/u/abc", 1)
    assert forged != data
    assert not dkim.verify(forged, dnsfunc=fake_dns(rsa_key[1]))


def test_no_settings_means_no_signing(settings):
    settings.NASHR_DKIM_SELECTOR = settings.NASHR_DKIM_DOMAIN = settings.NASHR_DKIM_PRIVATE_KEY_FILE = ""
    assert dkim_signer_from_settings() is None


def test_half_configured_dkim_is_an_error_not_a_silent_unsigned_send(settings, tmp_path):
    settings.NASHR_DKIM_SELECTOR = "nashr2026"
    settings.NASHR_DKIM_DOMAIN = ""
    settings.NASHR_DKIM_PRIVATE_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="NASHR_DKIM_DOMAIN"):
        dkim_signer_from_settings()
    settings.NASHR_DKIM_DOMAIN = "example.com"
    settings.NASHR_DKIM_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured):
        dkim_signer_from_settings()
    (tmp_path / "bad.pem").write_text("-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n")
    settings.NASHR_DKIM_PRIVATE_KEY_FILE = str(tmp_path / "bad.pem")
    with pytest.raises(ImproperlyConfigured):
        dkim_signer_from_settings()
