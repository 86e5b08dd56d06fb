"""The reader's comment form and the editors' edit/reply forms. Rules live
in :mod:`.guard` and :mod:`.services`; these only check shapes and give
Arabic messages next to each field."""

from __future__ import annotations

import unicodedata

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator

from .rendering import comment_text_clean

NAME_MAX = 100
EMAIL_MAX = 254
URL_MAX = 200
#: the honeypot: hidden from people and assistive technology; bots fill it
HONEYPOT_FIELD = "company"

MSG_CONTROL = "لا يمكن أن يحتوي هذا الحقل على محارف تحكّم غير مرئية."


def _no_nul(value: str) -> str:
    if "\x00" in (value or ""):
        raise forms.ValidationError(MSG_CONTROL)
    return value


def _visible(text: str) -> str:
    """``text`` without what the page would not show: spaces, control and
    format characters (bidi marks and controls, zero-width spaces and
    joiners). Empty for a comment that would show as a blank box."""
    return "".join(ch for ch in comment_text_clean(text or "")
                   if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))


class _Text(forms.CharField):
    """A CharField whose NUL check speaks Arabic (Django's message is
    generic), and which PostgreSQL needs: it cannot store NUL."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def clean(self, value):
        _no_nul(value if isinstance(value, str) else "")
        return super().clean(value)


def body_max_length() -> int:
    return max(1, settings.NASHR_COMMENTS_MAX_LENGTH)


def _body_field() -> _Text:
    limit = body_max_length()
    return _Text(
        label="التعليق", max_length=limit, widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "اكتب تعليقك.",
            "max_length": f"التعليق أطول من المسموح: {limit} حرف على الأكثر، وفي نصّك %(show_value)d.",
        },
    )


class CommentForm(forms.Form):
    """Fields a reader fills (name, email, website, comment, notify) and
    hidden ones: ``article``, ``parent``, ``token`` (signed render time) and
    the honeypot. Values are kept as typed; errors are in Arabic."""

    author_name = _Text(label="الاسم", max_length=NAME_MAX, error_messages={
        "required": "اكتب اسمك.", "max_length": f"الاسم أطول من المسموح ({NAME_MAX} حرفًا على الأكثر).",
    })
    author_email = forms.EmailField(label="البريد الإلكتروني", max_length=EMAIL_MAX, error_messages={
        "required": "اكتب بريدك الإلكتروني (لن يُنشر).",
        "invalid": "عنوان البريد الإلكتروني غير صحيح. مثال: name@example.com",
        "max_length": f"عنوان البريد أطول من المسموح ({EMAIL_MAX} حرفًا).",
    })
    author_url = _Text(label="الموقع", required=False, max_length=URL_MAX, error_messages={
        "max_length": f"رابط الموقع أطول من المسموح ({URL_MAX} حرف).",
    })
    body = _Text(label="التعليق")
    notify_replies = forms.BooleanField(label="أعلمني بالبريد بالردود على تعليقي", required=False)
    article = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    token = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = _body_field()  # the limit is a setting: read it per form

    def honeypot_value(self) -> str:
        """What the hidden field carries (read from the raw data, so it works
        on an invalid form too)."""
        return str(self.data.get(HONEYPOT_FIELD, ""))[:200]

    def clean_author_email(self) -> str:
        _no_nul(self.data.get("author_email", ""))
        return self.cleaned_data["author_email"].strip()

    def clean_author_name(self) -> str:
        name = self.cleaned_data["author_name"]
        if not _visible(name):
            raise forms.ValidationError("اكتب اسمك.")
        return name

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not _visible(body):
            raise forms.ValidationError("اكتب تعليقك.")
        return body


class CommentEditForm(forms.Form):
    """An editor's correction of a comment."""

    author_name = _Text(label="الاسم", max_length=NAME_MAX)
    author_url = _Text(label="الموقع", required=False, max_length=URL_MAX,
                       help_text="يُحفظ فقط إن كان رابط http أو https.")
    body = _Text(label="التعليق", widget=forms.Textarea(attrs={"rows": 8}))


class CommentReplyForm(forms.Form):
    """An editor's reply, published at once in the editor's name."""

    body = _Text(label="الرد", widget=forms.Textarea(attrs={"rows": 6}),
                 error_messages={"required": "اكتب الرد."})


class InitialCommentForm:
    """An unbound :class:`CommentForm` with ``initial`` values (``article``,
    ``parent``, ``token``), as the comment section under an article shows it
    to every reader. Its HTML needs only those values
    (:mod:`.section_html`), so the form itself — its fields copied for each
    instance — is built only when something asks for more of it (a template
    rendering ``form.author_name.value``, say); it then answers as that
    ``CommentForm`` does."""

    is_bound = False

    def __init__(self, *, initial: dict):
        self.initial = initial
        self._form = None

    @property
    def form(self) -> CommentForm:
        if self._form is None:
            self._form = CommentForm(initial=self.initial)
        return self._form

    def __getitem__(self, name: str):
        return self.form[name]

    def __iter__(self):
        return iter(self.form)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.form, name)
