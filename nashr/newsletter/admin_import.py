"""The Wagtail admin's subscriber CSV import: an upload form at
``/admin/newsletter/subscribers/import/`` that runs
:func:`.importers.subscribers_import` and shows its report.

Registered through Wagtail hooks when this module is imported (from
``wagtail_hooks.py``): ``register_admin_urls`` for the page and
``register_newsletter_menu_item`` for its link in the newsletter menu group
(the group's ``submenu_hook``).

Uploads over ``NASHR_SUBSCRIBER_IMPORT_MAX_MB`` (default 20) are refused
while they are received — an upload handler stops storing the file at the
limit — so a huge upload never reaches the disk. Following Django's
"modifying upload handlers on the fly", the view is ``csrf_exempt`` only so
the handler can be installed before the body is read; the CSRF check then
runs (``csrf_protect``) before anything else. Requires the
``newsletter.add_subscriber`` permission.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .importers import ImportFileError, subscribers_import

MENU_LABEL = "استيراد المشتركين"
#: rows of the report shown on the page; the command prints them all
WARNINGS_SHOWN = 500


def import_max_bytes() -> int:
    """The upload limit in bytes (``NASHR_SUBSCRIBER_IMPORT_MAX_MB``, default 20 MB)."""
    return int(getattr(settings, "NASHR_SUBSCRIBER_IMPORT_MAX_MB", 20)) * 1024 * 1024


class _SizeLimitHandler(FileUploadHandler):
    """Stops an upload as soon as its files pass the limit; the rest of the
    request body is read and discarded so the browser gets the answer."""

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.nashr_upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class SubscriberImportForm(forms.Form):
    # The file comes last: browsers send fields in form order, and fields
    # after an upload cut off at the size limit never arrive.
    file_format = forms.ChoiceField(
        label="الصيغة",
        choices=[("auto", "تلقائي (من أسماء الأعمدة)"), ("nashr", "نشر (ملف التصدير)"),
                 ("jetpack", "ووردبريس / Jetpack"), ("substack", "Substack"), ("ghost", "Ghost")],
        initial="auto",
    )
    dry_run = forms.BooleanField(label="تجربة دون حفظ (اعرض ما سيحدث فقط)", required=False)
    file = forms.FileField(label="ملف CSV")

    def __init__(self, *args, too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:  # the upload was cut off: say why, not "this field is required"
            for form_field in self.fields.values():
                form_field.required = False
        self.fields["file"].help_text = f"بترميز UTF-8، حتى {import_max_bytes() // (1024 * 1024)} ميغابايت."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size > import_max_bytes():
            raise forms.ValidationError(self._too_large_message())
        return upload

    def clean(self):
        if self.too_large:
            self.add_error("file", self._too_large_message())
        return super().clean()

    @staticmethod
    def _too_large_message() -> str:
        return (f"الملف أكبر من {import_max_bytes() // (1024 * 1024)} ميغابايت؛ "
                "قسّمه إلى ملفات أصغر أو استخدم الأمر nashr import-subscribers.")


@csrf_exempt
def subscriber_import(request):
    """GET: the upload form. POST: run the import and show the report on the
    same page (form kept for the next file)."""
    request.upload_handlers.insert(0, _SizeLimitHandler(request, import_max_bytes()))
    return _subscriber_import(request)


@csrf_protect
def _subscriber_import(request):
    if not request.user.has_perm("newsletter.add_subscriber"):
        raise PermissionDenied
    report = error = None
    if request.method == "POST":
        form = SubscriberImportForm(request.POST, request.FILES,
                                    too_large=getattr(request, "nashr_upload_too_large", False))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = subscribers_import(file=upload, file_format=form.cleaned_data["file_format"],
                                            dry_run=form.cleaned_data["dry_run"])
            except ImportFileError as exc:
                error = str(exc)
            finally:
                upload.close()
    else:
        form = SubscriberImportForm()
    status = 400 if request.method == "POST" and (form.errors or error) else 200
    return TemplateResponse(request, "newsletter/admin/subscriber_import.html", {
        "form": form, "report": report, "error": error, "menu_label": MENU_LABEL,
        "warnings": report.warnings[:WARNINGS_SHOWN] if report else [],
        "warnings_hidden": max(0, len(report.warnings) - WARNINGS_SHOWN) if report else 0,
        "subscribers_url": reverse("newsletter_subscribers:index"),
    }, status=status)


class _ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("newsletter.add_subscriber")


@hooks.register("register_admin_urls")
def register_subscriber_import_url():
    return [path("newsletter/subscribers/import/", subscriber_import, name="newsletter_subscribers_import")]


@hooks.register("register_newsletter_menu_item")
def register_subscriber_import_menu_item():
    # order 2 = the Subscribers item's place in the group; added after it
    return _ImportMenuItem(MENU_LABEL, reverse("newsletter_subscribers_import"),
                           name="newsletter-subscribers-import", icon_name="upload", order=2)
