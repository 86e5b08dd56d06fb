"""End to end on WordPress's own theme unit test export (real input nobody
on this team wrote): every post, page, attachment and comment accounted for,
imported pages render, old URLs redirect, and a second run changes nothing.

The export lives outside the repository (../shared/data/wordpress/); the
test is skipped with the reason when it is absent. Its photos are not in the
export, so an uploads folder is made with a real image at every attachment's
path (non-image attachments — an MP3 and a QuickTime file — get their
non-image bytes and must be reported)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client
from lxml import etree

from nashr.articles.images import NewsImage
from nashr.articles.models import ArticlePage, SimplePage
from nashr.importers.models import ImportedObject
from nashr.importers.wordpress.mapping import old_path, uploads_relative_path

from .helpers import THEME_UNIT, image_bytes, run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not THEME_UNIT.is_file(), reason=f"WordPress theme unit test export not found at {THEME_UNIT}"),
]

WP = "{https://wordpress.org/export/1.2/}"


def expected():
    """What the file holds, counted independently with a plain lxml parse."""
    tree = etree.parse(str(THEME_UNIT))
    counts: Counter = Counter()
    items = []
    for item in tree.iter("item"):
        post_type = item.findtext(f"{WP}post_type")
        counts[post_type] += 1
        comments = item.findall(f"{WP}comment")
        counts["comments"] += len(comments)
        for c in comments:
            if post_type != "post" or c.findtext(f"{WP}comment_type") in ("pingback", "trackback"):
                counts["comments_not_for_articles"] += 1
        items.append({
            "type": post_type, "id": item.findtext(f"{WP}post_id"), "status": item.findtext(f"{WP}status"),
            "link": item.findtext("link"), "url": item.findtext(f"{WP}attachment_url") or "",
        })
    return counts, items


@pytest.fixture
def uploads(tmp_path):
    _, items = expected()
    root = tmp_path / "uploads"
    for item in items:
        if item["type"] != "attachment":
            continue
        path = root / uploads_relative_path(item["url"])
        path.parent.mkdir(parents=True, exist_ok=True)
        ext = path.suffix.lower()
        if ext in (".jpg", ".jpeg"):
            path.write_bytes(image_bytes("JPEG", (640, 400)))
        elif ext in (".gif", ".png"):
            path.write_bytes(image_bytes(ext[1:].upper(), (320, 200)))
        else:
            path.write_bytes(b"ID3\x03\x00 not a picture" * 20)
    return root


def test_theme_unit_export_imports_completely(uploads):
    counts, items = expected()
    report = run(THEME_UNIT, uploads=uploads)

    # every record accounted for: imported, or skipped with a reason
    assert report.total("post") == counts["post"] == report.get("post", "imported")
    assert report.total("page") == counts["page"] == report.get("page", "imported")
    assert report.total("attachment") == counts["attachment"]
    non_images = sum(1 for i in items if i["type"] == "attachment"
                     and not i["url"].lower().endswith((".jpg", ".jpeg", ".gif", ".png")))
    assert report.get("attachment", "skipped") == non_images > 0
    assert report.total("comment") == counts["comments"]
    assert report.get("comment", "skipped") == counts["comments_not_for_articles"]
    assert report.get("other", "skipped") == counts["nav_menu_item"]
    skipped_ids = {n.wp_id for n in report.notes if n.kind == "attachment" and "ليس صورة" in n.message}
    assert len(skipped_ids) == non_images
    assert all(n.line for n in report.notes if n.kind in ("post", "page", "attachment", "comment"))

    assert ArticlePage.objects.count() == counts["post"]
    # titles are plain text: WordPress allows markup in them
    assert ArticlePage.objects.filter(title="Markup: Title With Markup").count() == 1
    assert SimplePage.objects.count() == counts["page"]
    assert NewsImage.objects.count() == counts["attachment"] - non_images

    # readers get every live page, and every old permalink leads there
    client = Client()
    by_wp = {(row.kind, row.wp_id): row.object_id
             for row in ImportedObject.objects.filter(kind__in=["post", "page"])}
    checked = 0
    for item in items:
        if item["type"] not in ("post", "page") or item["status"] != "publish":
            continue
        model = ArticlePage if item["type"] == "post" else SimplePage
        page = model.objects.get(pk=by_wp[(item["type"], item["id"])])
        assert page.live
        response = client.get(page.url)
        assert response.status_code == 200, (item["id"], page.url)
        old = old_path(item["link"])
        response = client.get(old)
        if old.rstrip("/") == page.url.rstrip("/"):
            assert response.status_code == 200
        else:
            assert (response.status_code, response["Location"]) == (301, page.url), (item["id"], old)
        response = client.get(f"/?p={item['id']}")
        assert (response.status_code, response["Location"]) == (301, page.url), item["id"]
        checked += 1
    assert checked == sum(1 for i in items if i["type"] in ("post", "page") and i["status"] == "publish")

    again = run(THEME_UNIT, uploads=uploads)
    for kind, outcome_counts in again.counts.items():
        assert outcome_counts["imported"] == 0 and outcome_counts["updated"] == 0, kind
