"""The subscribe form. Validation lives in :mod:`.subscriptions`; this only
maps form fields to it."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from .subscriptions import (
    EMAIL_MAX_LENGTH, MSG_EMAIL_REQUIRED, MSG_NAME_TOO_LONG, NAME_MAX_LENGTH,
    subscriber_email_normalise, subscriber_name_clean,
)

#: the honeypot's field name: a plausible field bots like to fill
HONEYPOT_FIELD = "website"
_SOURCE_RE = re.compile(r"[a-z0-9-]{1,40}\Z")


class _TextField(forms.CharField):
    """A CharField without Django's generic NUL check, so that NUL gets the
    same Arabic "no control characters" message as CR and LF (from
    :mod:`.subscriptions`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators
                           if not isinstance(v, ProhibitNullCharactersValidator)]


class SubscribeForm(forms.Form):
    """``email`` (required), ``name`` (optional), ``source`` (which box:
    ``article``, ``footer``, ``page``...) and the honeypot ``website``,
    hidden from people and assistive technology, which only bots fill.

    Fields keep surrounding whitespace (``strip=False``) so that a trailing
    CR/LF is refused rather than silently trimmed away."""

    email = _TextField(label="البريد الإلكتروني", strip=False, max_length=EMAIL_MAX_LENGTH + 10,
                            error_messages={"required": MSG_EMAIL_REQUIRED,
                                            "max_length": "عنوان البريد أطول من المسموح (254 حرفًا)."})
    name = _TextField(label="الاسم", required=False, strip=False, max_length=NAME_MAX_LENGTH + 50,
                           error_messages={"max_length": MSG_NAME_TOO_LONG})
    source = forms.CharField(required=False, max_length=64)
    website = forms.CharField(required=False, strip=False)

    def honeypot_filled(self) -> bool:
        """True when the hidden field carries anything: a bot. Works on an
        unvalidated form (read straight from the submitted data)."""
        return bool(self.data.get(HONEYPOT_FIELD, ""))

    def clean_email(self) -> str:
        return subscriber_email_normalise(email=self.cleaned_data["email"])

    def clean_name(self) -> str:
        return subscriber_name_clean(name=self.cleaned_data.get("name", ""))

    def clean_source(self) -> str:
        source = (self.cleaned_data.get("source") or "").strip()
        return source if _SOURCE_RE.match(source) else "form"
