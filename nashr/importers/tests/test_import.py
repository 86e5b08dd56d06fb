"""Importing ``arabic_site.xml`` (an Arabic WordPress blog written for these
tests) into a real database: what is stored, what readers see, what the
report says, and that a second run changes nothing."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from django.test import Client
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Revision

from nashr.articles.images import NewsImage
from nashr.articles.models import ArticlePage, Author, SectionPage, SimplePage
from nashr.comments.models import Comment
from nashr.importers.models import ImportedObject

from .helpers import WXR, make_uploads, run

pytestmark = pytest.mark.django_db

SITE = WXR / "arabic_site.xml"


@pytest.fixture
def uploads(tmp_path):
    return make_uploads(tmp_path)


@pytest.fixture
def imported(uploads):
    return run(SITE, uploads=uploads)


def article(title: str) -> ArticlePage:
    return ArticlePage.objects.get(title=title)


def snapshot():
    """Every row the import writes, as comparable values."""
    return {
        "pages": sorted(Page.objects.values_list("pk", "title", "slug", "live", "path")),
        "revisions": Revision.objects.count(),
        "images": sorted(NewsImage.objects.values_list("pk", "title", "description", "caption",
                                                       "credit_photographer", "credit_agency")),
        "authors": sorted(Author.objects.values_list("pk", "name")),
        "tags": sorted(Tag.objects.values_list("pk", "name", "slug")),
        "redirects": sorted(Redirect.objects.values_list("old_path", "redirect_page_id", "redirect_link")),
        "comments": sorted(Comment.objects.values_list("pk", "parent_id", "status", "body")),
        "mapping": sorted(ImportedObject.objects.values_list("kind", "wp_id", "object_id", "fingerprint")),
    }


def test_report_counts_every_record_of_the_file(imported):
    r = imported
    assert (r.get("author", "imported"), r.get("category", "imported"), r.get("tag", "imported")) == (2, 3, 2)
    assert (r.get("attachment", "imported"), r.get("attachment", "skipped")) == (2, 1)
    assert (r.get("post", "imported"), r.get("post", "skipped")) == (7, 1)  # 207 is in the trash
    assert r.get("page", "imported") == 2
    assert (r.get("comment", "imported"), r.get("comment", "skipped")) == (5, 1)  # 505 is a pingback
    assert r.get("other", "skipped") == 1  # the menu item
    lines = {(n.kind, n.wp_id): n.line for n in r.notes}
    assert lines[("attachment", "102")] == 90  # missing file, reported with its <item> line
    assert lines[("post", "207")] == 429
    assert lines[("comment", "505")] == 236


def test_authors_keep_their_arabic_names(imported):
    assert sorted(Author.objects.values_list("name", flat=True)) == ["سارة خليل", "عمر الحسن"]
    assert list(article("الخبر الأول").authors.values_list("author__name", flat=True)) == ["سارة خليل"]
    assert list(article("خبر مجدول").authors.values_list("author__name", flat=True)) == ["عمر الحسن"]


def test_top_level_categories_become_sections_and_subcategories_tags(imported):
    assert sorted(SectionPage.objects.values_list("title", "slug")) == [
        ("أخبار", "akhbar"), ("ثقافة", "ثقافة"), ("منوعات", "uncategorized")]
    first = article("الخبر الأول")  # filed under سياسة, a child of أخبار
    assert first.get_parent().title == "أخبار"
    assert sorted(first.tags.values_list("name", flat=True)) == ["اقتصاد", "سياسة"]
    assert article("بانتظار المراجعة").get_parent().slug == "uncategorized"  # no category at all
    assert SectionPage.objects.get(slug="ثقافة").intro == "كتب وفنون"


def test_post_statuses(imported):
    live = article("الخبر الأول")
    assert live.live and live.date_published == datetime(2024, 3, 1, 6, 30, tzinfo=timezone.utc)
    scheduled = article("خبر مجدول")
    assert not scheduled.live
    assert scheduled.go_live_at == datetime(2099, 1, 1, 9, 0, tzinfo=timezone.utc)
    assert scheduled.get_latest_revision().approved_go_live_at == scheduled.go_live_at
    for title in ("مسودة", "خاص", "بانتظار المراجعة"):
        draft = article(title)
        assert not draft.live and draft.get_latest_revision() is not None, title
    members = article("للمشتركين")
    assert members.live and members.access == "members" and not members.comments_open
    assert not ArticlePage.objects.filter(title="في المهملات").exists()
    notes = {n.wp_id: n.message for n in imported.notes if n.kind == "post"}
    assert "private" in notes["203"] and "كلمة مرور" in notes["204"]


def test_excerpt_sticky_and_lead_image(imported):
    first = article("الخبر الأول")
    assert first.standfirst == "خلاصة الخبر"
    assert first.featured and not article("مقال المكوّنات").featured
    assert first.lead_image.title == "سوق الخضار"


def test_photo_alt_caption_and_credit(imported):
    souq = NewsImage.objects.get(title="سوق الخضار")
    assert souq.description == "باعة الخضار في سوق المدينة"  # _wp_attachment_image_alt
    # from the serialized _wp_attachment_metadata (its caption length counted CRLF)
    assert (souq.credit_photographer, souq.credit_agency) == ("سارة خليل", "وكالة الأفق")
    assert souq.caption == "سوق الخضار\nصباحًا"
    market = NewsImage.objects.get(title="بائع")
    assert market.description == "بائع"  # no alt in WordPress: the title, reported
    assert market.caption == "بائع في السوق"
    # the [caption]'s trailing "name | agency" filled the empty credit
    assert (market.credit_photographer, market.credit_agency) == ("علي حسن", "وكالة الشرق")
    assert any(n.wp_id == "101" and "نص بديل" in n.message for n in imported.notes)
    assert market.file.name.endswith(".png") and souq.width == 800


def test_classic_content_becomes_blocks(imported):
    body = article("الخبر الأول").body
    kinds = [b.block_type for b in body]
    assert kinds == ["paragraph", "image", "subheading", "block_quote", "paragraph", "embed", "paragraph"]
    assert body[0].value.source == "<p>فقرة أولى فيها <strong>خط عريض</strong>.<br/>\nسطر ثان في الفقرة نفسها.</p>"
    assert body[1].value["image"].title == "بائع" and body[1].value["caption"] == "بائع في السوق."
    assert body[2].value == "عنوان فرعي"
    assert (body[3].value["quote"], body[3].value["attribution"]) == ("الكلمة مسؤولية", "محررة")
    assert "<li>بند أول</li>" in body[4].value.source
    assert body[5].value.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    last = body[6].value.source
    assert '[contact-form-7 id="5" title="اتصل بنا"]' in last  # unknown shortcode kept as text...
    assert any(n.wp_id == "200" and "contact-form-7" in n.message for n in imported.notes)  # ...and reported
    assert "script" not in last and "onclick" not in last and "javascript" not in last
    assert "نص آمن" in last


def test_gutenberg_content_becomes_blocks(imported):
    body = article("مقال المكوّنات").body
    assert [b.block_type for b in body] == ["paragraph", "image", "subheading", "embed", "block_quote", "paragraph"]
    assert body[1].value["image"].title == "سوق الخضار"
    assert body[1].value["caption"] == "الباعة في الصباح."
    assert body[3].value.url == "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
    assert "wp:" not in str(body.raw_data)


def test_pages_are_flattened_under_home(imported):
    about = SimplePage.objects.get(title="من نحن")
    team = SimplePage.objects.get(title="فريق التحرير")
    assert about.get_parent().specific_class.__name__ == "HomePage" == team.get_parent().specific_class.__name__
    assert [b.block_type for b in about.body] == ["paragraph"]
    assert about.body[0].value.source == "<p>نحن مدونة مستقلة.</p><p>نكتب كل صباح.</p>"


def test_comments_keep_status_threading_and_no_html(imported):
    first = article("الخبر الأول")
    by_wp = {c.wordpress_id: c for c in Comment.objects.filter(article=first)}
    assert {k: c.status for k, c in by_wp.items()} == {
        500: "approved", 501: "approved", 502: "pending", 503: "spam", 504: "trash"}
    assert by_wp[501].parent_id == by_wp[500].pk and by_wp[501].depth == 1
    assert by_wp[500].author_name == "قارئ نشيط"
    assert by_wp[500].body == "تعليق جميل & مفيد"  # tags and the script's code removed
    assert by_wp[500].author_url == "http://reader.example"
    assert by_wp[501].author_url == ""  # javascript: dropped
    assert by_wp[502].author_email == ""  # not an address
    assert by_wp[500].created_at == datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_readers_see_imported_pages_and_no_commenter_email(imported):
    client = Client()
    first = article("الخبر الأول")
    response = client.get(first.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "الخبر الأول" in html and "خلاصة الخبر" in html and "وكالة الشرق" in html
    assert "reader@example.com" not in html.lower()
    for page in SimplePage.objects.all():
        assert client.get(page.url).status_code == 200
    assert client.get(SectionPage.objects.get(slug="akhbar").url).status_code == 200


@pytest.mark.parametrize("old", [
    "/2024/03/01/%D8%A7%D9%84%D8%AE%D8%A8%D8%B1-%D8%A7%D9%84%D8%A3%D9%88%D9%84/",  # percent-encoded, upper case
    "/2024/03/01/%d8%a7%d9%84%d8%ae%d8%a8%d8%b1-%d8%a7%d9%84%d8%a3%d9%88%d9%84/",  # as WordPress writes it
    "/2024/03/01/" + quote("الخبر-الأول") + "/feed/",
    "/?p=200",
])
def test_old_post_urls_redirect_permanently(imported, old):
    response = Client().get(old)
    assert response.status_code == 301, old
    assert response["Location"] == article("الخبر الأول").url


def test_old_archive_and_page_urls_redirect(imported):
    client = Client()
    akhbar = SectionPage.objects.get(slug="akhbar")
    assert client.get("/category/akhbar/")["Location"] == akhbar.url
    assert client.get("/category/akhbar/feed/")["Location"] == akhbar.url + "feed/"
    siyasa = Tag.objects.get(name="سياسة")
    assert client.get("/category/akhbar/siyasa/")["Location"] == f"/tag/{siyasa.slug}/"
    economy = Tag.objects.get(name="اقتصاد")
    assert economy.slug == "اقتصاد"
    response = client.get("/tag/" + quote("اقتصاد") + "/feed/")
    assert response.status_code == 200  # the same URL exists in Nashr: no redirect needed
    team = SimplePage.objects.get(title="فريق التحرير")
    response = client.get("/about/team/")
    assert (response.status_code, response["Location"]) == (301, team.url)
    assert client.get("/?page_id=301")["Location"] == team.url
    assert client.get("/?p=999").status_code == 200  # unknown id: just the home page


def test_second_run_changes_nothing(imported, uploads):
    before = snapshot()
    again = run(SITE, uploads=uploads)
    assert snapshot() == before  # same rows, no new revision
    for kind, counts in again.counts.items():
        assert counts["imported"] == 0 and counts["updated"] == 0, kind
    assert again.get("post", "unchanged") == 7 and again.get("comment", "unchanged") == 5


def test_newer_export_updates_what_changed(imported, uploads, tmp_path):
    newer = tmp_path / "newer.xml"
    text = SITE.read_text(encoding="utf-8")
    text = text.replace("<![CDATA[مقال المكوّنات]]>", "<![CDATA[مقال المكوّنات (محدّث)]]>")
    text = text.replace("<![CDATA[شكرًا لك]]>", "<![CDATA[شكرًا جزيلًا]]>")
    newer.write_text(text, encoding="utf-8")
    page = article("مقال المكوّنات")
    revisions = page.revisions.count()
    report = run(newer, uploads=uploads)
    assert report.get("post", "updated") == 1 and report.get("post", "unchanged") == 6
    assert report.get("comment", "updated") == 1
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.title == "مقال المكوّنات (محدّث)" and page.live
    assert page.revisions.count() == revisions + 1
    assert Comment.objects.get(wordpress_id=501).body == "شكرًا جزيلًا"
    assert ArticlePage.objects.count() == 7


def test_dry_run_writes_nothing(uploads, settings):
    before = snapshot()
    report = run(SITE, uploads=uploads, dry_run=True)
    assert report.dry_run and report.get("post", "imported") == 7 and report.get("attachment", "imported") == 2
    after = snapshot()
    # the home page and the site row exist on an empty database, nothing else
    assert after["images"] == [] and after["mapping"] == [] and after["redirects"] == [] and after["comments"] == []
    assert ArticlePage.objects.count() == 0 and after["revisions"] == before["revisions"]
    media = list(settings.MEDIA_ROOT.rglob("*.*"))
    assert media == []


def test_same_slug_twice_in_a_section_gets_a_suffix_and_both_old_urls_work(tmp_path, uploads):
    text = SITE.read_text(encoding="utf-8")
    # post 204 gets the same post_name as 205 (both are in أخبار)
    text = text.replace("<wp:post_name><![CDATA[members]]></wp:post_name>",
                        "<wp:post_name><![CDATA[blocks]]></wp:post_name>")
    path = tmp_path / "dup.xml"
    path.write_text(text, encoding="utf-8")
    run(path, uploads=uploads)
    members, blocks = article("للمشتركين"), article("مقال المكوّنات")
    assert (members.slug, blocks.slug) == ("blocks", "blocks-2")
    client = Client()
    assert client.get("/2024/03/04/members/")["Location"] == members.url
    assert client.get("/2024/03/05/blocks/")["Location"] == blocks.url


def test_an_article_deleted_after_import_comes_back(imported, uploads):
    article("مسودة").delete()
    report = run(SITE, uploads=uploads)
    assert report.get("post", "imported") == 1 and report.get("post", "unchanged") == 6
    assert ArticlePage.objects.filter(title="مسودة").count() == 1


def test_newer_export_moves_an_article_whose_category_changed(imported, uploads, tmp_path):
    text = SITE.read_text(encoding="utf-8").replace(
        '<category domain="category" nicename="akhbar"><![CDATA[أخبار]]></category>\n\t\t<category domain="post_tag" '
        'nicename="sport">',
        '<category domain="category" nicename="%d8%ab%d9%82%d8%a7%d9%81%d8%a9"><![CDATA[ثقافة]]></category>\n\t\t'
        '<category domain="post_tag" nicename="sport">')
    newer = tmp_path / "moved.xml"
    newer.write_text(text, encoding="utf-8")
    old_url = article("مقال المكوّنات").url
    report = run(newer, uploads=uploads)
    assert report.get("post", "updated") == 1
    moved = article("مقال المكوّنات")
    assert moved.get_parent().title == "ثقافة" and moved.live and moved.url != old_url
    response = Client().get("/2024/03/05/blocks/")
    assert (response.status_code, response["Location"]) == (301, moved.url)
