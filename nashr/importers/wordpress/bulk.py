"""New published articles, written a batch at a time.

Wagtail's page API costs about 90 SQL statements a post (``add_child``,
``save_revision()``, ``publish()``); an import of tens of thousands of posts
spends most of its time there. For the common case — a post this site has
never imported, published now — :class:`BulkArticleWriter` stores the same
rows with a few statements per table for a whole batch:

- tree positions: the section's last child path is read once per batch and
  the next paths made with treebeard's own helpers (``MP_Node._get_path``,
  ``_inc_path``); depth, ``url_path`` and the section's ``numchild`` follow;
- ``wagtailcore_page`` rows by :func:`nashr.site.rows.create_rows` (what
  ``bulk_create`` stores, its SQL assembled per batch); the ``ArticlePage`` rows by
  one ``executemany`` INSERT of ``ArticlePage._meta.local_concrete_fields``
  (Django's ``bulk_create`` refuses multi-table inheritance), each value
  prepared by the field's own ``get_db_prep_save``;
- one revision per page holding what ``save_revision()`` would store
  (``page.serializable_data()`` of the page before publishing), then
  ``latest_revision``/``live_revision`` set in one ``executemany`` UPDATE; the
  "created" and "published" history entries; tags, bylines, the mapping
  rows, redirects and comments, each in one or a few statements.

Nothing is queued per post and no ``page_published`` signal is sent, so no
newsletter goes out for an imported article. What publishing would have
queued is done with each batch — the search index (:mod:`nashr.search.services`),
Wagtail's admin search index and its reference index (where images, authors
and tags are used) — except the related-articles lists, which need the whole
index: :meth:`BulkArticleWriter.rebuild` queues them for the task worker
after the last batch, in tasks of many articles each.

A batch that fails as a whole (a database error) is rolled back and its
posts are written one by one through the page API instead, so one bad post
is reported with its line and the others are imported.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F

from . import mapping
from .posts import PreparedPost, item_write

logger = logging.getLogger(__name__)

#: new articles written per batch
BULK_BATCH = 200


class BulkArticleWriter:
    """``add(prepared)`` new live posts; ``flush()`` writes them (also
    called by the importer before any post written through the page API);
    ``rebuild()`` once at the end of the run."""

    def __init__(self, *, importer) -> None:
        self.importer = importer
        self.pending: list[PreparedPost] = []
        self.pending_ids: set[str] = set()
        #: pks of the articles written by this writer in this run
        self.article_ids: list[int] = []
        #: seconds spent on each index written with the batches (see :meth:`_index`)
        self.index_seconds: dict[str, float] = {"search": 0.0, "admin_search": 0.0, "references": 0.0}
        self.title_norms = _TitleNorms()

    def add(self, prepared: PreparedPost) -> None:
        self.pending.append(prepared)
        self.pending_ids.add(prepared.item.post_id)

    def holds(self, post_id: str) -> bool:
        return post_id in self.pending_ids

    def full(self) -> bool:
        return len(self.pending) >= BULK_BATCH

    # -- writing -------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the pending posts (never raises for a bad post: a failing
        batch is written again one post at a time through the page API)."""
        entries, self.pending, self.pending_ids = self.pending, [], set()
        if not entries:
            return
        checkpoint = self.importer.report.checkpoint()
        try:
            with transaction.atomic():
                written = self._write(entries)
        except Exception:
            logger.warning("bulk write of %d posts failed; writing them one by one", len(entries), exc_info=True)
            self.importer.report.restore(checkpoint)  # what the batch counted was rolled back with it
            self.title_norms = _TitleNorms()  # so were the index rows it summed: read the table again
            for prepared in entries:
                self.importer._guard("post", prepared.item.post_id, prepared.item.line, item_write,
                                     self.importer, prepared)
            return
        self.article_ids.extend(written)

    def _write(self, entries: list[PreparedPost]) -> list[int]:
        from django.contrib.contenttypes.models import ContentType
        from django.core.exceptions import ValidationError
        from taggit.models import Tag
        from wagtail.models import Page, PageLogEntry, Revision

        from nashr.articles.models import ArticleAuthor, ArticlePage, ArticleTag
        from nashr.arabic import slugify, unique_slug
        from nashr.articles.services import SLUG_MAX_LENGTH

        from nashr.site.rows import create_rows, insert_rows, update_rows

        from ..models import ImportedObject

        importer, report = self.importer, self.importer.report
        now = timezone_now()
        page_ct = ContentType.objects.get_for_model(ArticlePage)
        base_ct = ContentType.objects.get_for_model(Page)
        live_tags = set(Tag.objects.filter(pk__in={t.pk for e in entries for t in e.tags})
                        .values_list("pk", flat=True))

        # 1. tree positions and unique slugs, per section
        by_section: dict[int, list[PreparedPost]] = {}
        for prepared in entries:
            by_section.setdefault(prepared.section.pk, []).append(prepared)
        pages: list[tuple[PreparedPost, ArticlePage]] = []
        added: dict[int, int] = {}
        for section_pk, group in by_section.items():
            parent = Page.objects.get(pk=section_pk)  # fresh tree fields
            children = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            last = children.order_by("-path").values_list("path", flat=True).first()
            wanted = [slugify(p.slug, max_length=SLUG_MAX_LENGTH) for p in group]
            taken = set(children.filter(slug__in=set(wanted)).values_list("slug", flat=True))

            asked = set(wanted)  # free unless in `taken`: no query for these

            def is_taken(slug: str, taken=taken, children=children, asked=asked) -> bool:
                return slug in taken or (slug not in asked and children.filter(slug=slug).exists())

            for prepared, base in zip(group, wanted):
                slug = unique_slug(base, is_taken, max_length=SLUG_MAX_LENGTH)
                path = Page._get_path(parent.path, parent.depth + 1, 1) if last is None \
                    else Page(path=last)._inc_path()
                page = self._page(prepared, parent=parent, slug=slug, path=path, content_type=page_ct)
                try:
                    page.clean_fields(exclude=["content_type", "locale", "lead_image", "owner", "locked_by",
                                               "latest_revision", "live_revision", "alias_of", "page_ptr"])
                except ValidationError as exc:
                    report.count("post", "skipped")
                    report.warn("post", prepared.item.post_id, prepared.item.line,
                                f"تعذّر الاستيراد: {type(exc).__name__}: {exc}")
                    importer.comments_skip(prepared.item, "لم يُستورد المقال فلم يُستورد تعليقه")
                    continue
                last = path
                taken.add(slug)
                added[parent.pk] = added.get(parent.pk, 0) + 1
                pages.append((prepared, page))
        if not pages:
            return []

        # 2. the base rows, then the ArticlePage rows
        published = {}
        base_rows = []
        for prepared, page in pages:
            first = prepared.date or now  # publish() sets "now"; the import then the WordPress date
            published[id(page)] = first
            fields = {f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields if not f.primary_key}
            fields.update(live=True, has_unpublished_changes=False, first_published_at=first,
                          last_published_at=first, latest_revision_created_at=now)
            base_rows.append(Page(**fields))
        create_rows(Page, base_rows)
        for (prepared, page), row in zip(pages, base_rows):
            page.id = page.page_ptr_id = row.pk
            page._state.adding, page._state.db = False, row._state.db

        # 3. tags and bylines (before the revisions, which hold their pks)
        children: list[tuple[list, list]] = []  # per page: (tag rows, byline rows)
        for prepared, page in pages:
            tags = [ArticleTag(tag=t, content_object_id=page.pk) for t in prepared.tags if t.pk in live_tags]
            bylines = [ArticleAuthor(page_id=page.pk, author_id=prepared.author_pk, sort_order=0)] \
                if prepared.author_pk else []
            children.append((tags, bylines))
        create_rows(ArticleTag, [row for tags, _ in children for row in tags])
        create_rows(ArticleAuthor, [row for _, bylines in children for row in bylines])

        # 4. revisions: the page as save_revision() sees it (not live yet)
        revisions = []
        for (prepared, page), (tags, bylines) in zip(pages, children):
            # every child relation from memory (a new page has no admin comments):
            # serialising reads each relation, and one not set would be a query
            page.tagged_items, page.authors, page.wagtail_admin_comments = tags, bylines, []
            revisions.append(Revision(
                content_type_id=page_ct.pk, base_content_type_id=base_ct.pk, object_id=str(page.pk),
                created_at=now, user=None, approved_go_live_at=None,
                content=page.serializable_data(), object_str=str(page)))
        create_rows(Revision, revisions)

        # 5. the published state, as publish() leaves it
        for (prepared, page), row, revision in zip(pages, base_rows, revisions):
            first = published[id(page)]
            page.live, page.has_unpublished_changes = True, False
            page.first_published_at = page.last_published_at = page.date_published = first
            page.latest_revision_created_at = now
            page.latest_revision_id = page.live_revision_id = revision.pk
            row.latest_revision_id = row.live_revision_id = revision.pk
        insert_rows(ArticlePage, [page for _, page in pages], own_table=True)
        update_rows(Page, base_rows, ["latest_revision", "live_revision"])
        for parent_pk, n in added.items():
            Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + n)
        insert_rows(PageLogEntry, [
            entry for (prepared, page), revision in zip(pages, revisions) for entry in (
                PageLogEntry(content_type_id=page_ct.pk, label=page.get_admin_display_title(),
                             action="wagtail.create", data={}, timestamp=now, page_id=page.pk,
                             content_changed=True),
                PageLogEntry(content_type_id=page_ct.pk, label=page.get_admin_display_title(),
                             action="wagtail.publish", data={}, timestamp=now, page_id=page.pk,
                             revision_id=revision.pk, content_changed=True),
            )])

        # 6. the mapping rows, redirects, comments
        insert_rows(ImportedObject, [
            ImportedObject(source=importer.source, kind="post", wp_id=prepared.item.post_id,
                           guid=prepared.item.guid[:500], content_type_id=page_ct.pk, object_id=str(page.pk),
                           fingerprint=prepared.fp)
            for prepared, page in pages])
        importer.written("post", [p.item.post_id for p, _ in pages])
        report.count("post", "imported", len(pages))
        importer.redirects.to_pages(pairs=[
            (mapping.old_paths_for_item(link=p.item.link, guid=p.item.guid, post_id=p.item.post_id,
                                        post_type="post", base_path=importer.base_path), page)
            for p, page in pages])
        with_comments = [(p.item, page) for p, page in pages if p.item.comments]
        if with_comments:
            if importer.comments is None:
                for item, _ in with_comments:
                    importer.comments_skip(item, "تطبيق التعليقات غير متاح في قاعدة البيانات؛ لم يُستورد التعليق")
            else:
                importer.comments.import_new(pairs=with_comments)

        # 7. the indexes publishing would have updated, from the pages in memory
        self._index([page for _, page in pages], bylines=[row for _, rows in children for row in rows])
        return [page.pk for _, page in pages]

    def _index(self, pages: list, *, bylines: list) -> None:
        """Write, for just-written ``pages`` (ArticlePage objects still in
        memory with their body, tags and bylines), the rows publishing them
        one at a time would have queued: Nashr's search index (public pages
        only), Wagtail's admin search index and its reference index. Read
        from memory, nothing is loaded back from the database. Times each
        step into :attr:`index_seconds`."""
        import time

        from django.contrib.contenttypes.models import ContentType
        from modelsearch.backends import get_search_backends
        from wagtail.models import Page, ReferenceIndex

        from nashr.articles.models import ArticlePage
        from nashr.search.models import ArticleSearchEntry
        from nashr.search.services import _entry_fields
        from nashr.site.rows import insert_rows

        t0 = time.monotonic()
        sections = {page.path[:-4] for page in pages}
        public = {path for path in sections if Page.objects.filter(path=path).public().exists()}
        insert_rows(ArticleSearchEntry, [
            ArticleSearchEntry(article_id=page.pk, **_entry_fields(page)) for page in pages
            if page.path[:-4] in public])
        t1 = time.monotonic()
        with _searchable_content_once(ArticlePage._meta.get_field("body")), self.title_norms.incremental():
            for backend in get_search_backends(with_auto_update=True):
                backend.add_bulk(ArticlePage, pages)
        t2 = time.monotonic()
        rows = []
        for obj in [*pages, *bylines]:
            cts = [ContentType.objects.get_for_model(m, for_concrete_model=False)
                   for m in [obj, *obj._meta.get_parent_list()]]
            for to_ct, to_id, model_path, content_path in set(ReferenceIndex._extract_references_from_object(obj)):
                rows.append(ReferenceIndex(
                    content_type=cts[0], base_content_type=cts[-1], object_id=obj.pk, to_content_type_id=to_ct,
                    to_object_id=to_id, model_path=model_path, content_path=content_path,
                    content_path_hash=ReferenceIndex._get_content_path_hash(content_path)))
        insert_rows(ReferenceIndex, rows, ignore_conflicts=connection.features.supports_ignore_conflicts)
        t3 = time.monotonic()
        for name, seconds in (("search", t1 - t0), ("admin_search", t2 - t1), ("references", t3 - t2)):
            self.index_seconds[name] += seconds

    def _page(self, prepared: PreparedPost, *, parent, slug: str, path: str, content_type):
        """The unsaved ArticlePage as ``add_child`` would store it."""
        from nashr.articles.models import ArticlePage

        values, title = prepared.values, prepared.title
        return ArticlePage(
            title=title, draft_title=title, slug=slug, path=path, depth=parent.depth + 1, numchild=0,
            url_path=f"{parent.url_path}{slug}/", content_type=content_type, locale_id=parent.locale_id,
            translation_key=uuid.uuid4(), live=False, has_unpublished_changes=False,
            body=prepared.body, standfirst=values["standfirst"], lead_image_id=values["lead"],
            featured=values["featured"], comments_open=values["comments_open"], access=prepared.state.access,
        )

    # -- the end of the run ----------------------------------------------------------------

    def rebuild(self) -> dict:
        """After the last batch: queue the related-articles lists of the
        articles written here (and of their neighbours) for the task
        worker, as publishing each of them would; they need the whole
        search index, so they wait for the end. Returns ``{"articles": n,
        "related_tasks": tasks queued, step + "_seconds": seconds}`` for
        the indexes written with the batches (``search``,
        ``admin_search``, ``references``)."""
        from nashr.articles.selectors import sections_cache_clear
        from nashr.search.tasks import related_refresh_queue

        ids = self.article_ids
        if not ids:
            return {}
        done: dict[str, float] = {"articles": len(ids)}
        for name, seconds in self.index_seconds.items():
            done[f"{name}_seconds"] = round(seconds, 2)
        done["related_tasks"] = related_refresh_queue(ids)
        sections_cache_clear()
        return done

    def stopped(self) -> int:
        """The import stops before its end (Ctrl-C, an error), its open
        transaction rolled back: queue the related-articles lists of the
        articles it wrote that are in the database — those committed — as
        :meth:`rebuild` would have at the end; a second run finds them
        imported and would not queue them. Read back from the database
        (500 ids a query), so a stop at any point, even between a commit and
        its on-commit callbacks or inside :meth:`rebuild`, queues each
        committed article (some twice at worst: the lists are idempotent).
        Returns the number of tasks queued (0 when nothing was committed)."""
        from nashr.articles.models import ArticlePage
        from nashr.search.tasks import related_refresh_queue

        ids = self.article_ids
        committed = [pk for start in range(0, len(ids), 500) for pk in ArticlePage.objects.filter(
            pk__in=ids[start:start + 500]).values_list("pk", flat=True)]
        if not committed:
            return 0
        return related_refresh_queue(committed)


@contextmanager
def _searchable_content_once(field):
    """While Wagtail's admin search indexes a batch, work out the
    searchable text of each page's ``field`` (a StreamField) once: its
    database backends ask for it once per kind of index text (title, body,
    autocomplete), three times a page, and parsing every rich-text block
    is most of the cost. The memo is set on this one field object for the
    duration of the ``with`` block only (the import runs no other thread).
    """
    original = field.get_searchable_content
    memo: dict[int, tuple] = {}

    def once(value):
        hit = memo.get(id(value))
        if hit is None or hit[0] is not value:  # keyed by identity, checked: ids are reused
            hit = memo[id(value)] = (value, original(value))
        return hit[1]

    field.get_searchable_content = once
    try:
        yield
    finally:
        del field.get_searchable_content  # the class's method again


class _TitleNorms:
    """Wagtail's SQLite admin search keeps, per index entry, ``title_norm``
    = the average title length of all entries / this entry's title length
    (in characters). After each ``add_bulk``, ``SQLiteIndex._refresh_title_norms``
    takes the average over the whole table and sets it on every entry
    still at ``1.0`` (new entries, and those whose title length equalled
    an earlier average) — two scans that read every entry's body: O(entries)
    per batch, O(N²) for an import.

    While :meth:`incremental` is active, the same numbers come from a
    running sum and count of title lengths (the whole table read once,
    then only the rows added since: ids above the highest seen), and the
    UPDATE touches those rows and the few earlier ones still at ``1.0``
    (their ids are kept). The result is Wagtail's as long as no other code
    changes or deletes entries between two batches (true during an import:
    the page-API posts' index updates are queued tasks); tested against
    Wagtail's refresh over many batches."""

    #: more entries than this left at exactly 1.0: fall back to Wagtail's refresh
    ONES_KEPT = 1000

    def __init__(self) -> None:
        self.total = 0      # sum of the lengths of the non-empty titles seen
        self.count = 0      # how many
        self.last_id = 0    # highest entry id seen
        self.ones: list[int] = []  # ids of entries seen whose title_norm is 1.0

    @contextmanager
    def incremental(self):
        if connection.vendor != "sqlite":  # the other backends keep no title_norm
            yield
            return
        from modelsearch.backends.database.sqlite.sqlite import SQLiteIndex

        original = SQLiteIndex._refresh_title_norms
        state = self

        def refresh(index, full=False):
            if full or len(state.ones) > state.ONES_KEPT:
                original(index, full=full)
                state.__init__()  # the next refresh reads the whole table again
                return
            table = connection.ops.quote_name(index.entries.model._meta.db_table)
            seen = f"(id > %s OR id IN ({', '.join(['%s'] * len(state.ones)) or 'NULL'}))"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COALESCE(SUM(CASE WHEN LENGTH(title) > 0 THEN LENGTH(title) END), 0),"
                    f" COUNT(CASE WHEN LENGTH(title) > 0 THEN 1 END), MAX(id) FROM {table} WHERE id > %s",
                    [state.last_id])
                total, count, last = cursor.fetchone()
                state.total += total
                state.count += count
                since, state.last_id = state.last_id, max(state.last_id, last or 0)
                if not state.count:  # no title yet: nothing to divide
                    return
                where = f"{seen} AND title_norm = 1.0 AND LENGTH(title) > 0"
                cursor.execute(f"UPDATE {table} SET title_norm = %s / LENGTH(title) WHERE {where}",
                               [state.total / state.count, since, *state.ones])
                cursor.execute(f"SELECT id FROM {table} WHERE {where}", [since, *state.ones])
                state.ones = [row[0] for row in cursor.fetchall()]

        SQLiteIndex._refresh_title_norms = refresh
        try:
            yield
        finally:
            SQLiteIndex._refresh_title_norms = original


def timezone_now():
    from django.utils import timezone

    return timezone.now()
