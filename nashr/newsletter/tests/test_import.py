"""Subscriber CSV import: real export files of each format (tests/files/),
the `nashr import-subscribers` command, and the admin upload page."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

import nashr.newsletter.admin_import  # noqa: F401  (registers the admin page, as wagtail_hooks does)
from nashr.newsletter.importers import ImportFileError, subscribers_import
from nashr.newsletter.models import Subscriber, Suppression

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
IMPORT_URL = "/admin/newsletter/subscribers/import/"


def run(name, **kwargs):
    with (FILES / name).open("rb") as fh:
        return subscribers_import(file=fh, **kwargs)


def stored():
    """Every subscriber as (email, name, status, source), by email key."""
    return sorted(Subscriber.objects.values_list("email_key", "email", "name", "status", "source"))


def lines_of(report):
    return [note.line for note in report.warnings]


def note(report, line):
    return " | ".join(n.message for n in report.warnings if n.line == line)


def test_counts_always_add_up_to_the_rows_read():
    for name in ("nashr_export.csv", "jetpack_subscribers.csv", "substack_export.csv", "ghost_members.csv"):
        report = run(name)
        assert report.imported + report.updated + report.unchanged + report.skipped == report.rows, name


# --- Nashr's own export --------------------------------------------------------------

def test_nashr_export_with_arabic_headings_and_crlf():
    report = run("nashr_export.csv")
    assert report.file_format == "nashr"
    assert (report.rows, report.imported, report.updated, report.unchanged, report.skipped) == (7, 4, 0, 0, 3)
    assert stored() == [
        ("bounced@example.net", "bounced@example.net", "", "cleaned", "import:nashr"),
        ("huda@example.com", "huda@example.com", "هدى", "confirmed", "import:nashr"),
        ("layla@example.com", "layla@example.com", "ليلى حسن", "confirmed", "import:nashr"),
        ("omar@example.org", "omar@example.org", "عمر", "unsubscribed", "import:nashr"),
    ]
    # a cleaned address from the old site stays unmailable here
    assert Suppression.objects.get(email_key="bounced@example.net").reason == Suppression.Reason.MANUAL
    layla = Subscriber.objects.get(email_key="layla@example.com")
    assert layla.confirmed_at is not None and layla.confirmation_sent_at is None
    assert lines_of(report) == [5, 6, 8]
    assert "never confirmed on the old platform" in note(report, 5)
    assert "لا يبدو بريدًا إلكترونيًا صالحًا" in note(report, 6) and "'not-an-email'" in note(report, 6)
    assert "unknown status 'archived'" in note(report, 8)


def test_importing_the_same_file_twice_changes_nothing():
    run("nashr_export.csv")
    first = stored(), list(Suppression.objects.values_list("email_key", "reason", "detail"))
    report = run("nashr_export.csv")
    assert (report.imported, report.updated, report.unchanged, report.skipped) == (0, 0, 4, 3)
    assert (stored(), list(Suppression.objects.values_list("email_key", "reason", "detail"))) == first


def test_admin_csv_export_round_trips_through_the_import(client, django_user_model):
    ed = django_user_model.objects.create_superuser("ed", "ed@news.example", "pass-1234-word")
    client.force_login(ed)
    run("nashr_export.csv")
    before = [row[1:4] for row in stored()]

    response = client.get(reverse("newsletter_subscribers:index") + "?export=csv")
    assert response.status_code == 200
    exported = b"".join(response.streaming_content)
    assert exported.decode().splitlines()[0].startswith("البريد الإلكتروني,الاسم,الحالة,المصدر")
    Subscriber.objects.all().delete()

    report = subscribers_import(file=io.BytesIO(exported))
    assert report.file_format == "nashr" and report.skipped == 0
    assert [row[1:4] for row in stored()] == before


# --- WordPress.com / Jetpack ----------------------------------------------------------

def test_jetpack_export_with_bom_names_and_a_header_injection_attempt():
    report = run("jetpack_subscribers.csv")
    assert report.file_format == "jetpack"
    assert (report.rows, report.imported, report.skipped) == (7, 4, 3)
    assert stored() == [
        ("mona@example.com", "mona@example.com", "منى السيد", "unsubscribed", "import:jetpack"),
        ("nour@example.com", "Nour@example.com", "نور الهدى", "confirmed", "import:jetpack"),
        ("rami@example.com", "rami@example.com", "رامي", "confirmed", "import:jetpack"),
        ("ziad@example.com", "ziad@example.com", "زياد", "confirmed", "import:jetpack"),
    ]
    # physical line numbers: the quoted name spans lines 5-6, so Ziad is on line 10
    assert lines_of(report) == [3, 5, 8]
    assert "never confirmed" in note(report, 3)
    assert note(report, 5) == ("لا يمكن أن يحتوي الاسم على فواصل أسطر أو محارف تحكّم. اكتبه في سطر واحد. (السطور 5–6)"
                               " — line breaks or control characters in the name (lines 5–6)")
    assert "no email address" in note(report, 8)
    assert not Subscriber.objects.filter(email_key="attacker@example.com").exists()


# --- Substack ---------------------------------------------------------------------------

def test_substack_export_with_crlf_and_email_disabled():
    report = run("substack_export.csv")
    assert report.file_format == "substack"
    assert (report.rows, report.imported, report.skipped) == (5, 3, 2)
    assert [(row[0], row[3]) for row in stored()] == [
        ("gone@example.com", "unsubscribed"),
        ("paid.reader@example.com", "confirmed"),
        ("reader1@example.com", "confirmed"),
    ]
    assert lines_of(report) == [5, 6]
    assert "'broken@example..com'" in note(report, 5)
    assert "not a yes/no value in column email_disabled: 'sometimes'" in note(report, 6)


# --- Ghost -----------------------------------------------------------------------------------

@pytest.fixture
def existing():
    """Addresses the site already knows before the Ghost import."""
    Suppression.objects.create(email_key="blocked@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    Subscriber.objects.create(email="left@example.com", email_key="left@example.com",
                              status=Subscriber.Status.UNSUBSCRIBED, source="form")
    Subscriber.objects.create(email="pending.here@example.com", email_key="pending.here@example.com",
                              status=Subscriber.Status.PENDING, source="form")
    Subscriber.objects.create(email="fatima@example.com", email_key="fatima@example.com",
                              status=Subscriber.Status.CONFIRMED, name="", source="form")


def test_ghost_export_against_existing_subscribers(existing):
    report = run("ghost_members.csv")
    assert report.file_format == "ghost"
    assert (report.rows, report.imported, report.updated, report.unchanged, report.skipped) == (8, 2, 2, 1, 3)
    assert stored() == [
        # confirmed here already: kept, the empty name filled in, source unchanged
        ("fatima@example.com", "fatima@example.com", "فاطمة الزهراء", "confirmed", "form"),
        # unsubscribed here: the import does not subscribe them again
        ("left@example.com", "left@example.com", "", "unsubscribed", "form"),
        # pending here and confirmed on Ghost: confirmed
        ("pending.here@example.com", "pending.here@example.com", "ينتظر", "confirmed", "form"),
        ("qari@xn--mgbh0fb.xn--wgbh1c", "qari@مثال.مصر", "قارئ", "confirmed", "import:ghost"),
        ("silent@example.com", "silent@example.com", "صامت", "unsubscribed", "import:ghost"),
    ]
    assert lines_of(report) == [5, 7, 8]
    assert "deleted Ghost member" in note(report, 5)
    assert "suppression list" in note(report, 7) and "قائمة الحظر" in note(report, 7)
    assert "does not subscribe them again" in note(report, 8)
    assert not Subscriber.objects.filter(email_key__in=["blocked@example.com", "deleted@example.com"]).exists()

    again = run("ghost_members.csv")
    assert (again.imported, again.updated, again.unchanged, again.skipped) == (0, 0, 5, 3)


def test_dry_run_reports_the_same_and_stores_nothing(existing):
    before = stored()
    report = run("ghost_members.csv", dry_run=True)
    assert report.dry_run
    assert (report.imported, report.updated, report.unchanged, report.skipped) == (2, 2, 1, 3)
    assert stored() == before


def test_explicit_format_must_have_its_email_column():
    with pytest.raises(ImportFileError, match="no email column in the header row for format ghost"):
        run("jetpack_subscribers.csv", file_format="ghost")
    report = run("ghost_members.csv", file_format="jetpack")  # a plain list of addresses and names
    assert report.file_format == "jetpack" and report.imported == 7


# --- encodings and unreadable files ---------------------------------------------------------

def test_a_row_that_is_not_utf8_is_reported_and_the_others_imported():
    report = run("windows1256.csv")
    assert [row[0] for row in stored()] == ["ascii@example.com", "last@example.com"]
    assert lines_of(report) == [3]
    assert "not UTF-8" in note(report, 3)


@pytest.mark.parametrize(("name", "message"), [
    ("utf16.csv", "UTF-16"),
    ("no_email_column.csv", "no email column in the header row (الاسم, المدينة)"),
])
def test_unreadable_files_are_refused_whole(name, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        run(name)
    assert not Subscriber.objects.exists()


def test_empty_file_and_unknown_format_are_refused():
    with pytest.raises(ImportFileError, match="the file is empty"):
        subscribers_import(file=io.BytesIO(b""))
    with pytest.raises(ImportFileError, match="unknown format 'mailchimp'"):
        subscribers_import(file=io.BytesIO(b"email\na@example.com\n"), file_format="mailchimp")


def test_a_large_file_is_imported_in_batches_with_bad_rows_anywhere():
    rows = [b"email,name"]
    for n in range(1, 1301):
        rows.append(b"bad\x00row@example.com,x" if n % 400 == 0 else f"r{n}@example.com,قارئ {n}".encode())
    report = subscribers_import(file=io.BytesIO(b"\n".join(rows) + b"\n"))
    assert (report.rows, report.imported, report.skipped) == (1300, 1297, 3)
    assert lines_of(report) == [401, 801, 1201]  # line = row number + 1 for the header
    assert Subscriber.objects.count() == 1297


# --- the command -------------------------------------------------------------------------

def test_command_prints_a_bilingual_report_with_line_numbers():
    out = io.StringIO()
    call_command("import-subscribers", str(FILES / "substack_export.csv"), stdout=out)
    text = out.getvalue()
    assert "الصيغة: substack — format: substack" in text
    assert "مشتركون جدد: 3 — imported: 3" in text
    assert "تُخطّي: 2 — skipped: 2" in text
    assert "substack_export.csv:5: " in text and "substack_export.csv:6: " in text
    assert Subscriber.objects.count() == 3


def test_command_dry_run_and_explicit_format():
    out = io.StringIO()
    call_command("import-subscribers", str(FILES / "nashr_export.csv"), "--format", "nashr", "--dry-run",
                 stdout=out)
    assert "dry run, nothing saved" in out.getvalue() and "imported: 4" in out.getvalue()
    assert not Subscriber.objects.exists()


def test_command_fails_only_when_nothing_could_be_imported(tmp_path):
    with pytest.raises(CommandError, match="UTF-16"):
        call_command("import-subscribers", str(FILES / "utf16.csv"), stdout=io.StringIO())
    all_bad = tmp_path / "all_bad.csv"
    all_bad.write_text("email\nnot-an-email\n,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing in the file could be imported"):
        call_command("import-subscribers", str(all_bad), stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot open"):
        call_command("import-subscribers", str(tmp_path / "missing.csv"), stdout=io.StringIO())
    # already imported: nothing new, but nothing failed either
    call_command("import-subscribers", str(FILES / "substack_export.csv"), stdout=io.StringIO())
    call_command("import-subscribers", str(FILES / "substack_export.csv"), stdout=io.StringIO())


def test_the_nashr_command_exits_1_for_an_unreadable_file(tmp_path):
    env = dict(os.environ, NASHR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="nashr.site.settings")
    result = subprocess.run([sys.executable, "-m", "nashr", "import-subscribers", str(FILES / "utf16.csv")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "UTF-16" in result.stderr


# --- the admin page ----------------------------------------------------------------------

@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("ed", "ed@news.example", "pass-1234-word")
    client.force_login(user)
    return client


def upload(name, content=None):
    data = content if content is not None else (FILES / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_admin_page_shows_the_form(editor):
    response = editor.get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "استيراد المشتركين" in html and "حتى 20 ميغابايت" in html


def test_admin_upload_imports_and_shows_the_report(editor):
    response = editor.post(IMPORT_URL, {"file": upload("jetpack_subscribers.csv"), "file_format": "auto"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "نتيجة الاستيراد" in html
    assert '<dd data-count="imported">4</dd>' in html and '<dd data-count="skipped">3</dd>' in html
    assert "<td>5</td>" in html and "control characters in the name" in html
    assert Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count() == 3


def test_admin_dry_run_stores_nothing(editor):
    response = editor.post(IMPORT_URL, {"file": upload("substack_export.csv"), "file_format": "substack",
                                        "dry_run": "on"})
    assert "لم يُحفظ شيء" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_admin_unreadable_file_shows_the_error(editor):
    response = editor.post(IMPORT_URL, {"file": upload("utf16.csv"), "file_format": "auto"})
    assert response.status_code == 400
    assert "UTF-16" in response.content.decode()


def test_admin_refuses_files_over_the_limit_while_receiving_them(editor, settings):
    settings.NASHR_SUBSCRIBER_IMPORT_MAX_MB = 1
    big = b"email,name\n" + b"".join(f"r{n}@example.com,name\n".encode() for n in range(60_000))
    assert len(big) > 1024 * 1024
    response = editor.post(IMPORT_URL, {"file_format": "auto", "file": upload("big.csv", big)})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="error-message"') == 1 and "الملف أكبر من 1 ميغابايت" in html
    assert not Subscriber.objects.exists()


def test_admin_upload_needs_a_csrf_token(django_user_model):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(django_user_model.objects.create_superuser("ed", "ed@news.example", "pass-1234-word"))
    response = browser.post(IMPORT_URL, {"file": upload("substack_export.csv"), "file_format": "auto"})
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_admin_upload_needs_permission_to_add_subscribers(client, django_user_model):
    user = django_user_model.objects.create_user("writer", "w@news.example", "pass-1234-word")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.post(IMPORT_URL, {"file": upload("substack_export.csv"), "file_format": "auto"})
    # Wagtail answers PermissionDenied in the admin with a redirect and a message
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not Subscriber.objects.exists()
    assert IMPORT_URL not in [url for _, url in sidebar_links(client.get("/admin/").content.decode())]


def sidebar_links(html: str) -> list[tuple[str, str]]:
    """(label, url) of every link in the admin sidebar, in menu order."""
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    links: list[tuple[str, str]] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("_type") == "wagtail.sidebar.LinkMenuItem":
                links.append((node["_args"][0]["label"], node["_args"][0]["url"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(props.group(1)))
    return links


def test_admin_menu_links_to_the_import_page_after_the_subscribers(editor):
    """Needs admin_import wired into wagtail_hooks.py: the import, and
    ``NewsletterGroup.submenu_hook = "register_newsletter_menu_item"``."""
    links = sidebar_links(editor.get("/admin/").content.decode())
    assert ("استيراد المشتركين", IMPORT_URL) in links
    labels = [label for label, _ in links]
    assert labels.index("استيراد المشتركين") == labels.index("المشتركون") + 1


def test_subscriber_csv_export_cannot_carry_spreadsheet_formulas(client, django_user_model):
    import csv
    import io as _io

    from nashr.newsletter.models import Subscriber

    user = django_user_model.objects.create_superuser("exp", "exp@example.org", "pw-123456789")
    client.force_login(user)
    Subscriber.objects.create(email="f@example.org", email_key="f@example.org",
                              name='=HYPERLINK("http://evil.example","انقر")', status="confirmed")
    Subscriber.objects.create(email="a@example.org", email_key="a@example.org", name="سارة", status="confirmed")
    response = client.get("/admin/newsletter_subscribers/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {r["Email"] if "Email" in r else list(r.values())[0]: r for r in csv.DictReader(_io.StringIO(body))}
    names = [v for r in rows.values() for v in r.values()]
    assert "'=HYPERLINK(\"http://evil.example\",\"انقر\")" in names
    assert "سارة" in names
