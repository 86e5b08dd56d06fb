"""New published articles written a batch at a time (``wordpress/bulk.py``)
store what Wagtail's page API stores, one post at a time.

``arabic_site.xml`` is imported both ways into the same database — first
through the page API only (``bulk=False``) inside a transaction that is
rolled back, then with the bulk writer — and every row readers and Wagtail
depend on is compared. Then the bulk-written articles are checked as an
editor and a reader meet them: a valid tree, the admin edit view, the
page, the search, related articles, Wagtail's reference index.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision

from nashr.articles.images import NewsImage
from nashr.articles.models import ArticlePage
from nashr.comments.models import Comment
from nashr.importers.models import ImportedObject
from nashr.importers.wordpress import bulk as bulk_module
from nashr.importers.wordpress.importer import WordPressImporter
from nashr.search.models import ArticleSearchEntry, RelatedArticle
from nashr.search.tasks import ids_from_ranges

from .helpers import WXR, make_uploads, run

pytestmark = pytest.mark.django_db

SITE = WXR / "arabic_site.xml"
#: the posts of arabic_site.xml that are published by the import
LIVE_POSTS = {"200", "204", "205"}
#: keys of a revision's content that are database ids or made up per page
ID_KEYS = {"pk", "translation_key", "latest_revision", "live_revision", "lead_image", "content_type", "locale",
           "tagged_items", "authors", "body"}


def _body(page, images: dict) -> list:
    """The body's blocks without their random ids, images by title."""
    out = []
    for block in page.body.get_prep_value():
        value = block["value"]
        if block["type"] == "image":
            value = {**value, "image": images.get(value.get("image"))}
        out.append((block["type"], value))
    return out


def snapshot() -> dict:
    """The imported posts as natural keys (WordPress ids, titles, paths),
    comparable between two databases whose row ids differ."""
    images = dict(NewsImage.objects.values_list("pk", "title"))
    posts = {}
    for row in ImportedObject.objects.filter(kind="post"):
        page = ArticlePage.objects.get(pk=row.object_id)
        latest = page.latest_revision
        content = latest.content
        posts[row.wp_id] = {
            "class": type(page.specific).__name__,
            "url": page.url,
            "tree": (page.path, page.depth, page.numchild, page.url_path, page.get_parent().title),
            "page": {f.attname: getattr(page, f.attname) for f in ArticlePage._meta.concrete_fields
                     if f.attname not in {"id", "page_ptr_id", "translation_key", "latest_revision_id",
                                          "live_revision_id", "latest_revision_created_at", "content_type_id",
                                          "lead_image_id", "body", "first_published_at", "last_published_at",
                                          "date_published"}},
            # the WordPress date, or the time of the import for an undated post
            "dates": (page.first_published_at, page.last_published_at, page.date_published)
            if row.wp_id in ("200", "204", "205") else None,
            "lead": page.lead_image.title if page.lead_image else None,
            "body": _body(page, images),
            "tags": sorted(page.tags.values_list("name", flat=True)),
            "authors": list(page.authors.values_list("author__name", "sort_order")),
            "revisions": page.revisions.count(),
            "live_is_latest": page.live_revision_id == page.latest_revision_id,
            # the revision holds the very body the page has (block ids included)
            "revision_body_is_page_body": json.loads(content["body"]) == page.body.get_prep_value(),
            "revision": ({k: v for k, v in content.items() if k not in ID_KEYS},
                         len(content["tagged_items"]), len(content["authors"]), latest.object_str,
                         latest.approved_go_live_at, latest.user_id,
                         latest.base_content_type_id, latest.content_type_id == page.content_type_id),
            "history": sorted(PageLogEntry.objects.filter(page=page).values_list("action", "revision_id")
                              .order_by("action"), key=lambda a: a[0]),
            "comments": sorted(
                (c.wordpress_id, c.parent.wordpress_id if c.parent else None, c.depth, c.status, c.body,
                 c.author_name, c.author_email, c.author_url, c.created_at)
                for c in Comment.objects.filter(article=page).select_related("parent")),
            "redirects": sorted(Redirect.objects.filter(redirect_page=page).values_list("old_path", "is_permanent")),
            # (the fingerprints hold row ids, which differ between the runs;
            # that a second run finds them equal is tested in test_import.py)
            "mapping": row.guid,
        }
        posts[row.wp_id]["history"] = [(a, r is not None and r == latest.pk) for a, r in posts[row.wp_id]["history"]]
    return {
        "posts": posts,
        "pages": sorted(Page.objects.values_list("path", "title", "numchild", "live")),
        "comment_rows": sorted(ImportedObject.objects.filter(kind="comment").values_list("wp_id", flat=True)),
        "redirects": sorted(Redirect.objects.values_list("old_path", "redirect_link")),
    }


def _mask_times(snap: dict) -> dict:
    """The two runs happen at different times: drop the timestamps they
    cannot share (the WordPress dates stay)."""
    for post in snap["posts"].values():
        post["revision"][0].pop("latest_revision_created_at", None)
    return snap


@pytest.fixture
def uploads(tmp_path):
    return make_uploads(tmp_path)


@pytest.fixture
def written(monkeypatch):
    """The posts the bulk writer wrote in the next run."""
    seen: list[str] = []
    original = bulk_module.BulkArticleWriter._write

    def spy(self, entries):
        seen.extend(p.item.post_id for p in entries)
        return original(self, entries)

    monkeypatch.setattr(bulk_module.BulkArticleWriter, "_write", spy)
    return seen


def test_bulk_writer_stores_what_the_page_api_stores(uploads, written):
    with transaction.atomic():
        report_api = run(SITE, uploads=uploads, bulk=False)
        by_page_api = _mask_times(snapshot())
        transaction.set_rollback(True)
    assert written == []
    report_bulk = run(SITE, uploads=uploads)
    assert set(written) == LIVE_POSTS  # drafts, scheduled posts and pages took the page API
    by_bulk = _mask_times(snapshot())
    assert set(by_bulk["posts"]) == set(by_page_api["posts"]) == {"200", "201", "202", "203", "204", "205", "206"}
    for wp_id in by_page_api["posts"]:
        assert by_bulk["posts"][wp_id] == by_page_api["posts"][wp_id], wp_id
    assert by_bulk == by_page_api
    assert all(post["revision_body_is_page_body"] for post in by_bulk["posts"].values())
    assert report_bulk.counts == report_api.counts
    assert [(n.kind, n.wp_id, n.line, n.message) for n in report_bulk.notes] == \
        [(n.kind, n.wp_id, n.line, n.message) for n in report_api.notes]


def test_bulk_written_articles_are_whole_for_wagtail_editors_and_readers(uploads, written, django_user_model,
                                                                         django_capture_on_commit_callbacks,
                                                                         task_worker):
    from django_tasks_db.models import DBTaskResult

    importer = WordPressImporter(path=SITE, uploads=uploads)
    with django_capture_on_commit_callbacks() as on_commit:  # run below: the related lists' queueing
        importer.run()
    assert set(written) == LIVE_POSTS
    assert all(problems == [] for problems in Page.find_problems())
    for page in Page.objects.all():  # numchild is the real number of children
        assert page.numchild == Page.objects.filter(path__startswith=page.path, depth=page.depth + 1).count()
    editor = django_user_model.objects.create_superuser("ed", "ed@example.org", "pass-1234-word")
    admin, reader = Client(), Client()
    admin.force_login(editor)
    articles = [ArticlePage.objects.get(pk=o) for o in ImportedObject.objects.filter(
        kind="post", wp_id__in=LIVE_POSTS).values_list("object_id", flat=True)]
    for article in articles:
        assert article.live and article.live_revision_id == article.latest_revision_id
        assert admin.get(f"/admin/pages/{article.pk}/edit/").status_code == 200
        assert reader.get(article.url).status_code == 200
        assert admin.get(f"/admin/pages/{article.pk}/history/").status_code == 200
    # the search finds them (the index the end-of-run rebuild wrote)
    first = next(a for a in articles if a.title == "الخبر الأول")
    response = reader.get("/search/", {"q": "الخبر الأول"})
    assert response.status_code == 200 and first.url in response.content.decode()
    # the indexes written with the batches are what a full `nashr rebuild-search-index` writes
    from nashr.search.services import related_rebuild, search_index_rebuild

    entries = sorted(ArticleSearchEntry.objects.values_list("article_id", "title_keys", "body_keys", "tags_keys"))
    assert {e[0] for e in entries} == {a.pk for a in articles}
    search_index_rebuild()
    assert sorted(ArticleSearchEntry.objects.values_list("article_id", "title_keys", "body_keys",
                                                         "tags_keys")) == entries
    # Wagtail's reference index knows where the lead photo and the byline's author are used
    photo = first.lead_image
    assert ReferenceIndex.get_references_to(photo).filter(object_id=str(first.pk)).exists()
    assert importer.rebuilt["articles"] == len(LIVE_POSTS)
    # ... the very rows Wagtail's own per-object update writes
    def references():
        return sorted(ReferenceIndex.objects.values_list(
            "content_type_id", "base_content_type_id", "object_id", "to_content_type_id", "to_object_id",
            "model_path", "content_path", "content_path_hash"))

    bulk_rows = references()
    ReferenceIndex.objects.all().delete()
    from nashr.articles.models import ArticleAuthor

    with transaction.atomic():
        for obj in [*articles, *ArticleAuthor.objects.filter(page__in=articles)]:
            ReferenceIndex.create_or_update_for_object(obj)
    assert references() == bulk_rows
    # ... and Wagtail's admin search holds what its own indexing of the saved pages writes
    from modelsearch.backends import get_search_backends
    from wagtail.search.models import IndexEntry

    def admin_entries():
        return sorted(IndexEntry.objects.filter(object_id__in=[str(a.pk) for a in articles])
                      .values_list("content_type_id", "object_id", "title", "autocomplete", "body", "title_norm"))

    bulk_entries = admin_entries()
    assert len(bulk_entries) == len(articles) and all(e[4] for e in bulk_entries)
    IndexEntry.objects.filter(object_id__in=[str(a.pk) for a in articles]).delete()
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(ArticlePage, list(ArticlePage.objects.filter(pk__in=[a.pk for a in articles])))
    assert admin_entries() == bulk_entries
    # the per-batch memo of the body's searchable text is gone after the import
    assert "get_searchable_content" not in vars(ArticlePage._meta.get_field("body"))
    # nothing was queued per article: no search or newsletter task for them
    from django_tasks_db.models import DBTaskResult

    queued = [args["args"] for args in DBTaskResult.objects.values_list("args_kwargs", flat=True)]
    assert not any(str(a.pk) in map(str, q) and "articlepage" in q for a in articles for q in queued)
    # the related lists: queued for the task worker when the import commits (`nashr serve` runs it) ...
    queueing = [c for c in on_commit if c.__qualname__.startswith("related_refresh_queue.")]
    assert len(queueing) == 1 and importer.rebuilt["related_tasks"] == 1
    assert not RelatedArticle.objects.exists()
    before = set(DBTaskResult.objects.values_list("pk", flat=True))
    queueing[0]()
    queued = list(DBTaskResult.objects.exclude(pk__in=before))
    assert [r.task_path.rsplit(".", 1)[1] for r in queued] == ["related_refresh_many_task"]
    assert ids_from_ranges(queued[0].args_kwargs["args"][0]) == sorted(a.pk for a in articles)
    task_worker()
    # ... and once it ran, they are those of a full rebuild
    related = sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank"))
    assert related
    related_rebuild()
    assert sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank")) == related


@pytest.mark.parametrize("where", ["_write", "_index"])
def test_a_failing_batch_is_written_one_by_one(uploads, written, monkeypatch, where):
    """At the start of the batch, or at its very end (after its posts,
    comments and redirects were written and counted): nothing of it is
    kept, and the report counts each post, comment and redirect once."""
    with transaction.atomic():
        expected = run(SITE, uploads=uploads)
        transaction.set_rollback(True)

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk_module.BulkArticleWriter, where, broken)
    report = run(SITE, uploads=uploads)
    assert report.get("post", "imported") == 7
    assert report.counts == expected.counts
    assert [(n.kind, n.wp_id, n.message) for n in report.notes] == [
        (n.kind, n.wp_id, n.message) for n in expected.notes]
    assert ArticlePage.objects.filter(live=True).count() == 3
    assert Comment.objects.count() == 5
    assert all(problems == [] for problems in Page.find_problems())


def test_two_posts_with_one_slug_in_one_batch(tmp_path, uploads, written):
    text = SITE.read_text(encoding="utf-8").replace(
        "<wp:post_name><![CDATA[members]]></wp:post_name>", "<wp:post_name><![CDATA[blocks]]></wp:post_name>")
    path = tmp_path / "dup.xml"
    path.write_text(text, encoding="utf-8")
    run(path, uploads=uploads)
    assert {"204", "205"} <= set(written)
    slugs = {p.title: p.slug for p in ArticlePage.objects.filter(title__in=["للمشتركين", "مقال المكوّنات"])}
    assert slugs == {"للمشتركين": "blocks", "مقال المكوّنات": "blocks-2"}


@pytest.mark.parametrize("ones_kept", [1000, 0])
def test_admin_search_title_norms_over_many_batches_are_wagtails(uploads, monkeypatch, ones_kept):
    """Batches of one post: the running average of title lengths
    (``_TitleNorms``) gives every entry the ``title_norm`` Wagtail's own
    refresh after each batch gives it (compared with the refresh left as
    Wagtail has it, in a run that is rolled back); also when too many
    entries sit at 1.0 and it falls back to Wagtail's refresh."""
    from contextlib import nullcontext

    from django.db import connection
    from wagtail.search.models import IndexEntry

    if connection.vendor != "sqlite":
        pytest.skip("title_norm belongs to Wagtail's SQLite admin search backend")
    monkeypatch.setattr(bulk_module, "BULK_BATCH", 1)
    monkeypatch.setattr(bulk_module._TitleNorms, "ONES_KEPT", ones_kept)

    def norms() -> list:
        return sorted(IndexEntry.objects.values_list("title", "title_norm"))

    with transaction.atomic():
        with monkeypatch.context() as m:
            m.setattr(bulk_module._TitleNorms, "incremental", lambda self: nullcontext())
            run(SITE, uploads=uploads)
        by_wagtail = norms()
        transaction.set_rollback(True)
    run(SITE, uploads=uploads)
    ours = norms()
    articles = {t for t in ArticlePage.objects.filter(live=True).values_list("title", flat=True)}
    assert len({n for t, n in ours if t in articles}) > 1  # several batches, several averages
    assert ours == by_wagtail


def _related_queued_ids() -> list[int]:
    from django_tasks_db.models import DBTaskResult

    return sorted(pk for r in DBTaskResult.objects.filter(task_path__endswith=".related_refresh_many_task",
                                                          status="READY")
                  for pk in ids_from_ranges(r.args_kwargs["args"][0]))


@pytest.mark.django_db(transaction=True)  # real commits, as in a real run
def test_a_stopped_import_queues_the_related_lists_of_what_it_committed(uploads, monkeypatch, task_worker):
    """Ctrl-C after some articles were committed: their related lists are
    queued as the end of the run would have (a second run finds them
    imported and would not queue them); the batch being written when it
    stopped is rolled back and not queued."""
    import io

    from django.core.management import CommandError, call_command

    from nashr.importers.wordpress import importer as importer_module

    monkeypatch.setattr(importer_module, "BATCH", 1)  # a commit after every record
    monkeypatch.setattr(bulk_module, "BULK_BATCH", 1)  # a bulk write for every post
    original = bulk_module.BulkArticleWriter.flush
    writes = []

    def flush_then_stop(self):
        had = bool(self.pending)
        original(self)
        if had:
            writes.append(list(self.article_ids))
            if len(writes) == 2:  # the second post written, not committed yet: Ctrl-C
                raise KeyboardInterrupt

    monkeypatch.setattr(bulk_module.BulkArticleWriter, "flush", flush_then_stop)
    out = io.StringIO()
    with pytest.raises(CommandError) as stopped:
        call_command("import_wordpress", str(SITE), uploads=str(uploads), no_progress=True, stdout=out)
    assert stopped.value.returncode == 130
    text = out.getvalue()
    assert "import stopped" in text and "run the same command again" in text
    assert "the related lists of the articles imported so far are queued for the task worker (1 task)" in text
    committed = sorted(int(o) for o in ImportedObject.objects.filter(kind="post", wp_id__in=LIVE_POSTS)
                       .values_list("object_id", flat=True))
    assert len(committed) == 1 and writes[0] == committed and len(writes[1]) == 2
    assert not ArticlePage.objects.filter(pk=writes[1][1]).exists()  # the rolled-back write
    assert _related_queued_ids() == committed  # nothing of the rolled-back batch
    monkeypatch.undo()
    # the second run imports the rest and queues those; the worker then lists every article
    call_command("import_wordpress", str(SITE), uploads=str(uploads), no_progress=True, stdout=io.StringIO())
    articles = sorted(int(o) for o in ImportedObject.objects.filter(kind="post", wp_id__in=LIVE_POSTS)
                      .values_list("object_id", flat=True))
    assert len(articles) == len(LIVE_POSTS) and sorted(set(_related_queued_ids())) == articles
    task_worker()
    related = sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank"))
    assert {a for a, _, _ in related} >= set(committed)
    from nashr.search.services import related_rebuild

    related_rebuild()
    assert sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank")) == related


@pytest.mark.django_db(transaction=True)
def test_stopped_after_the_last_commit_still_queues_every_article(uploads, monkeypatch):
    """Ctrl-C after everything was committed, while the end of the run
    queues the lists (or between a commit and its callbacks): what is read
    back from the database is queued, every article once."""
    import io

    from django.core.management import CommandError, call_command

    def rebuild_interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk_module.BulkArticleWriter, "rebuild", rebuild_interrupted)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_wordpress", str(SITE), uploads=str(uploads), no_progress=True, stdout=out)
    articles = sorted(int(o) for o in ImportedObject.objects.filter(kind="post", wp_id__in=LIVE_POSTS)
                      .values_list("object_id", flat=True))
    assert len(articles) == len(LIVE_POSTS)
    assert _related_queued_ids() == articles
    assert "(1 task)" in out.getvalue()
