"""The sign-in form. Validation lives in :mod:`nashr.newsletter.subscriptions`
(the same rules as the subscribe form); this only maps the field."""

from __future__ import annotations

from django import forms

from nashr.newsletter.forms import _TextField
from nashr.newsletter.subscriptions import EMAIL_MAX_LENGTH, MSG_EMAIL_REQUIRED, subscriber_email_normalise


class SigninForm(forms.Form):
    """``email`` (required) and ``next`` (a path on this site, optional)."""

    email = _TextField(label="البريد الإلكتروني", strip=False, max_length=EMAIL_MAX_LENGTH + 10,
                       error_messages={"required": MSG_EMAIL_REQUIRED,
                                       "max_length": "عنوان البريد أطول من المسموح (254 حرفًا)."})
    next = forms.CharField(required=False, max_length=1000)

    def clean_email(self) -> str:
        return subscriber_email_normalise(email=self.cleaned_data["email"])
