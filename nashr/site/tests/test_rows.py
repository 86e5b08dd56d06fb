"""``insert_rows`` stores the rows ``bulk_create`` stores."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, Site

from nashr.articles.models import ArticlePage
from nashr.site.rows import insert_rows

pytestmark = pytest.mark.django_db

COLUMNS = ("old_path", "site_id", "is_permanent", "redirect_page_id", "redirect_link", "automatically_created")


def _redirects(prefix: str, site, page) -> list[Redirect]:
    return [Redirect(old_path=f"/{prefix}/{n}/مقال-قديم", site=site, is_permanent=n % 2 == 0,
                     redirect_page=page if n % 3 else None, redirect_link="" if n % 3 else "https://example.org/x")
            for n in range(5)]


def test_rows_are_the_rows_bulk_create_writes():
    site = Site.objects.get(is_default_site=True)
    page = Page.objects.get(depth=2)
    Redirect.objects.bulk_create(_redirects("a", site, page))
    assert insert_rows(Redirect, _redirects("b", site, page)) == 5

    def rows(prefix):
        return sorted((r[0].replace(f"/{prefix}/", "/"), *r[1:]) for r in Redirect.objects.filter(
            old_path__startswith=f"/{prefix}/").values_list(*COLUMNS))

    assert rows("a") == rows("b") and len(rows("b")) == 5
    # JSON and date columns go through their fields like bulk_create's
    from django.utils import timezone

    now = timezone.now()
    insert_rows(PageLogEntry, [PageLogEntry(content_type_id=1, label="خبر", action="wagtail.create",
                                            data={"عنوان": "خبر"}, timestamp=now, page_id=page.pk)])
    entry = PageLogEntry.objects.get(label="خبر")
    assert entry.data == {"عنوان": "خبر"} and entry.timestamp == now and entry.content_changed is False


def test_conflicts_fail_the_statement_unless_ignored():
    site = Site.objects.get(is_default_site=True)
    insert_rows(Redirect, [Redirect(old_path="/old", site=site, redirect_link="https://example.org/")])
    again = [Redirect(old_path="/old", site=site, redirect_link="https://example.org/other"),
             Redirect(old_path="/new", site=site, redirect_link="https://example.org/")]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Redirect, again)
    assert not Redirect.objects.filter(old_path="/new").exists()  # nothing of a failed statement is kept
    assert insert_rows(Redirect, again, ignore_conflicts=True) == 2
    assert dict(Redirect.objects.filter(old_path__in=["/old", "/new"]).values_list("old_path", "redirect_link")) == {
        "/old": "https://example.org/", "/new": "https://example.org/"}


def test_a_model_with_parent_tables_is_refused():
    with pytest.raises(ValueError, match="parent tables"):
        insert_rows(ArticlePage, [ArticlePage(title="x")])
    assert insert_rows(Redirect, []) == 0


def test_update_rows_stores_what_bulk_update_stores():
    from nashr.site.rows import update_rows

    site = Site.objects.get(is_default_site=True)
    page = Page.objects.get(depth=2)
    Redirect.objects.bulk_create(_redirects("u", site, page) + _redirects("v", site, page))
    by_prefix = {prefix: list(Redirect.objects.filter(old_path__startswith=f"/{prefix}/").order_by("old_path"))
                 for prefix in ("u", "v")}
    for prefix, updated in (("u", Redirect.objects.bulk_update), ("v", None)):
        for n, row in enumerate(by_prefix[prefix]):
            row.is_permanent = n % 2 == 1
            row.redirect_page = None if n % 2 else page
            row.redirect_link = f"https://example.org/تحويل/{n}"
        if updated:
            updated(by_prefix[prefix], ["is_permanent", "redirect_page", "redirect_link"])
        else:
            assert update_rows(Redirect, by_prefix[prefix], ["is_permanent", "redirect_page", "redirect_link"]) == 5

    def rows(prefix):
        return sorted((r[0].replace(f"/{prefix}/", "/"), *r[1:]) for r in Redirect.objects.filter(
            old_path__startswith=f"/{prefix}/").values_list(*COLUMNS))

    assert rows("u") == rows("v")
    assert {r[4] for r in rows("v")} == {f"https://example.org/تحويل/{n}" for n in range(5)}
    assert [r[2] for r in rows("v")] == [False, True, False, True, False]
    # a column of a parent table is refused, not written to the wrong table
    with pytest.raises(ValueError):
        update_rows(ArticlePage, [ArticlePage(pk=page.pk, title="x")], ["title"])


def test_create_rows_stores_what_bulk_create_stores_and_sets_the_ids():
    from nashr.site.rows import create_rows

    site = Site.objects.get(is_default_site=True)
    page = Page.objects.get(depth=2)
    Redirect.objects.bulk_create(_redirects("c", site, page))
    # more rows than one SQLite statement holds (999 values / 6 columns)
    ours = [Redirect(old_path=f"/d/{n}/مقال", site=site, is_permanent=n % 2 == 0,
                     redirect_page=page if n % 3 else None, redirect_link="" if n % 3 else "https://example.org/x")
            for n in range(400)]
    assert create_rows(Redirect, ours) == 400
    stored = dict(Redirect.objects.filter(old_path__startswith="/d/").values_list("pk", "old_path"))
    assert len(stored) == 400
    # each object got the id of its own row, in order, and is saved
    assert [stored[r.pk] for r in ours] == [f"/d/{n}/مقال" for n in range(400)]
    assert all(not r._state.adding and r._state.db == "default" for r in ours)
    assert [r.pk for r in ours] == sorted(r.pk for r in ours)

    def rows(prefix):
        return sorted((r[0].replace(f"/{prefix}/", "/"), *r[1:]) for r in Redirect.objects.filter(
            old_path__startswith=f"/{prefix}/").values_list(*COLUMNS))

    create_rows(Redirect, _redirects("e", site, page))
    assert rows("c") == rows("e") and len(rows("e")) == 5

    # JSON and date columns, pre_save defaults, as bulk_create stores them
    from django.utils import timezone

    now = timezone.now()
    entries = [PageLogEntry(content_type_id=1, label=f"خبر {n}", action="wagtail.create",
                            data={"عنوان": "خبر", "n": n}, timestamp=now, page_id=page.pk) for n in range(3)]
    create_rows(PageLogEntry, entries)
    for n, entry in enumerate(entries):
        got = PageLogEntry.objects.get(pk=entry.pk)
        assert (got.label, got.data, got.timestamp, got.content_changed) == (f"خبر {n}", {"عنوان": "خبر", "n": n},
                                                                             now, False)


def test_create_rows_refuses_saved_objects_and_parent_tables_and_keeps_nothing_of_a_bad_batch():
    from nashr.site.rows import create_rows

    site = Site.objects.get(is_default_site=True)
    saved = Redirect.objects.create(old_path="/saved", site=site, redirect_link="https://example.org/")
    with pytest.raises(ValueError, match="primary key"):
        create_rows(Redirect, [saved])
    with pytest.raises(ValueError, match="parent tables"):
        create_rows(ArticlePage, [ArticlePage(title="x")])
    assert create_rows(Redirect, []) == 0
    clash = [Redirect(old_path="/fresh", site=site, redirect_link="https://example.org/"),
             Redirect(old_path="/saved", site=site, redirect_link="https://example.org/")]
    with pytest.raises(IntegrityError), transaction.atomic():
        create_rows(Redirect, clash)
    assert not Redirect.objects.filter(old_path="/fresh").exists()


@pytest.mark.django_db(transaction=True)
def test_create_rows_keeps_no_batch_when_a_later_one_fails_even_without_a_transaction():
    """In autocommit mode, as bulk_create: all batches in one transaction.
    (Tags: a table with a unique name and nothing it depends on, since a
    transactional test may find the site's rows flushed by another.)"""
    from taggit.models import Tag

    from nashr.site.rows import create_rows

    Tag.objects.create(name="مأخوذ", slug="taken")
    many = [Tag(name=f"وسم {n}", slug=f"tag-{n}") for n in range(600)]
    with pytest.raises(IntegrityError):  # 601 rows of 2 values: two statements on SQLite, the bad row in the second
        create_rows(Tag, [*many, Tag(name="مأخوذ", slug="taken-again")])
    assert not Tag.objects.filter(slug__startswith="tag-").exists()
