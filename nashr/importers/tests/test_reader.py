"""Reading WXR files: every version's namespace, damaged files repaired and
reported with their lines, hostile files refused before anything is read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nashr.importers.wordpress.reader import WxrError, WxrReader, WxrRefused, mojibake_repair
from nashr.importers.wordpress.report import ImportReport

from .helpers import WXR, command

NS_12 = "http://wordpress.org/export/1.2/"


def read(path):
    report = ImportReport()
    records = list(WxrReader(path, report=report))
    return records, report


def items(records):
    return [r for kind, r in records if kind == "item"]


@pytest.mark.parametrize("ns", [
    "http://wordpress.org/export/1.0/", "http://wordpress.org/export/1.1/", NS_12,
    "https://wordpress.org/export/1.0/", "https://wordpress.org/export/1.1/", "https://wordpress.org/export/1.2/",
])
def test_every_wxr_version_and_scheme_is_read(tmp_path, ns):
    path = tmp_path / "export.xml"
    path.write_text((WXR / "arabic_site.xml").read_text(encoding="utf-8").replace(NS_12, ns), encoding="utf-8")
    records, report = read(path)
    posts = [i for i in items(records) if i.post_type == "post"]
    assert [p.post_id for p in posts] == ["200", "201", "202", "203", "204", "205", "206", "207"]
    first = posts[0]
    assert first.title == "الخبر الأول" and first.excerpt == "خلاصة <em>الخبر</em>"
    assert first.meta["_thumbnail_id"] == "100" and len(first.comments) == 6
    assert ("category", "siyasa", "سياسة") in first.categories
    authors = [r for kind, r in records if kind == "author"]
    assert [a.display_name for a in authors] == ["سارة خليل", ""]
    assert report.notes == []


def test_an_unknown_namespace_is_not_taken_for_wordpress(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text((WXR / "arabic_site.xml").read_text(encoding="utf-8")
                    .replace(NS_12, "http://example.org/export/1.2/"), encoding="utf-8")
    records, _ = read(path)
    assert all(i.post_id == "" for i in items(records))


def test_damaged_file_is_repaired_and_every_repair_reported():
    records, report = read(WXR / "damaged.xml")
    first, second = items(records)
    assert first.title == "عنوان مشوّه"  # double-encoded UTF-8, repaired; CDATA's surrounding whitespace gone
    assert first.content == "نص فيه ]]> مقسوم\nوسطر فيه محرف تحكمهنا"  # split CDATA joined; \x0b removed
    assert second.title == "Café الجديد"  # \x01 removed, Latin-1 é left alone
    assert second.content == "الخبر Ø§Ù„ نص مختلط"  # mixed: not repaired
    terms = [r for kind, r in records if kind == "term"]
    assert terms[0].name == "أخبار"
    authors = [r for kind, r in records if kind == "author"]
    assert authors[0].display_name == "علي"
    notes = {(n.kind, n.wp_id, n.line): n.message for n in report.notes}
    assert "محارف التحكم" in notes[("file", "", 20)] and "محارف التحكم" in notes[("file", "", 32)]
    assert "أُصلح" in notes[("post", "1", 12)] and "أُصلح" in notes[("category", "7", 11)]
    assert "غير مؤكد" in notes[("post", "2", 31)]
    assert len(report.notes) == 5


def test_mojibake_repair_only_when_unambiguous():
    arabic = "تقرير عن الاقتصاد"
    double = "".join(bytes([b]).decode("latin-1") for b in arabic.encode("utf-8"))
    assert mojibake_repair(double) == (arabic, "repaired")
    assert mojibake_repair(arabic) == (arabic, "")
    assert mojibake_repair("Ãºltimo Ø") == ("Ãºltimo Ø", "ambiguous")  # "Ø" alone does not decode
    assert mojibake_repair("naïve café")[1] == ""


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_entity_attacks_are_refused_with_a_clear_message(name):
    with pytest.raises(WxrRefused) as exc:
        read(WXR / name)
    assert "DOCTYPE" in str(exc.value) and "رُفض" in str(exc.value)


def test_not_a_wordpress_export(tmp_path):
    path = tmp_path / "x.xml"
    path.write_text("<html><body>not an export</body></html>")
    with pytest.raises(WxrError, match="ليس ملف تصدير"):
        read(path)


def test_truncated_file_stops_with_the_line(tmp_path):
    text = (WXR / "arabic_site.xml").read_text(encoding="utf-8")
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.index("<wp:post_id>205")], encoding="utf-8")
    report = ImportReport()
    seen = []
    with pytest.raises(WxrError, match="سطر") as exc:
        for kind, record in WxrReader(path, report=report):
            seen.append(record)
    assert "not well-formed" in str(exc.value)
    assert len([r for r in seen if getattr(r, "post_type", "") == "post"]) == 5  # what came before was read


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_command_refuses_hostile_export_and_imports_nothing(name):
    from wagtail.models import Page

    pages = Page.objects.count()
    status, out, err = command(WXR / name)
    assert status == 1
    assert "DOCTYPE" in err and "رُفض" in err
    assert Page.objects.count() == pages
    assert "root:" not in out + err  # nothing of /etc/passwd anywhere


def test_records_are_released_as_they_are_read(tmp_path):
    """Memory stays flat: finished items are dropped from the tree, so it
    never holds more than what the parser has read ahead (one buffer),
    whatever the number of items."""
    head, _, tail = (WXR / "arabic_site.xml").read_text(encoding="utf-8").partition("\t<item>")
    one = "\t<item>" + tail[: tail.index("</item>") + len("</item>")]
    path = tmp_path / "big.xml"
    path.write_text(head + one * 3000 + "\n</channel></rss>", encoding="utf-8")
    reader = WxrReader(path, report=ImportReport())
    count = sum(1 for kind, _ in reader if kind == "item")
    assert count == 3000
    assert reader.retained_max < 150  # the items of one read-ahead buffer, not 3,000


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([bytes([b]) for b in range(0x00, 0x30)] + [
    b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xef\xbf\xbd", b"\xef\xbf", b"\xef", b"\xbf", "نص عربي".encode()]),
    max_size=30).map(b"".join))
def test_quick_check_for_bad_bytes_answers_as_the_regex(data):
    from nashr.importers.wordpress.reader import _BAD_BYTES, _has_bad_bytes

    assert _has_bad_bytes(data) == (_BAD_BYTES.search(data) is not None)
