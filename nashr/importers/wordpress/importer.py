"""Apply a WXR export to Nashr: two streaming passes over the file.

Pass 1 reads authors, categories, tags and attachments (photos must exist
before the posts that show them; WordPress writes attachments anywhere in the
file). Between the passes, categories become sections and tags. Pass 2 reads
posts and pages (with their comments) and writes redirects from their old
URLs.

Every record is written in its own savepoint: a record that fails is rolled
back, reported with its WordPress id and line, and the import goes on.
Records are committed in batches of :data:`BATCH`. A file that breaks off
(truncated, or not well-formed from some line on) is imported up to that
point and the break reported; a refused file (DOCTYPE) imports nothing.
Every object is recorded in :class:`~nashr.importers.models.ImportedObject`
with a fingerprint of what was mapped, so a second run of the same file
changes nothing (no save, no revision) and a newer export updates only what
changed. ``dry_run`` runs everything inside one transaction that is rolled
back, and stores no media files.
"""

from __future__ import annotations

import html
import logging
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from ..models import ImportedObject
from . import mapping
from .attachments import DRY_RUN_IMAGE, attachment_import
from .content import ImageRef
from .media import MediaError
from .reader import WxrError, WxrItem, WxrReader, WxrRefused, WxrTerm
from .redirects import RedirectWriter
from .report import ImportReport

logger = logging.getLogger(__name__)


#: records per transaction
BATCH = 200


class WordPressImporter:
    """``WordPressImporter(path=..., uploads=..., fetch_media=..., dry_run=...,
    author_map=..., progress=...).run()`` → :class:`ImportReport`.

    ``uploads``: the old site's ``wp-content/uploads`` folder; ``fetch_media``:
    download attachments over HTTP instead; ``author_map``: WordPress login →
    Nashr author slug or name (:func:`.mapping.author_map_load`);
    ``progress``: a file (stderr) for the tqdm progress bar, or ``None``;
    ``bulk``: write new published articles a batch at a time
    (:mod:`.bulk`, the default) — ``False`` writes every post through
    Wagtail's page API, one by one (the same rows, several times slower).
    Raises :class:`~.reader.WxrError` when the file cannot be read at all.
    """

    def __init__(self, *, path, uploads: Path | None = None, fetch_media: bool = False,
                 dry_run: bool = False, author_map: dict[str, str] | None = None, progress=None,
                 bulk: bool = True) -> None:
        self.path = Path(path)
        self.uploads = Path(uploads) if uploads else None
        self.fetch_media = fetch_media
        self.dry_run = dry_run
        self.author_map = author_map or {}
        self.progress = progress
        self.use_bulk = bulk
        self.report = ImportReport(dry_run=dry_run)
        self.source = ""
        self.base_path = ""
        self.authors: dict[str, int] = {}          # login -> Author pk
        self.tags: dict[str, int] = {}             # tag slug (decoded) -> Tag pk
        self.categories: dict[str, WxrTerm] = {}   # category slug -> term
        self.category_target: dict[str, tuple[str, int]] = {}  # slug -> ("section"|"tag", pk)
        self.images: dict[str, int] = {}           # attachment id -> NewsImage pk
        self.image_keys: dict[str, int] = {}       # media_key(url) -> NewsImage pk
        self.children: dict[str, list[str]] = {}   # post id -> attachment ids
        self.other_types: dict[str, tuple[int, int]] = {}  # post_type -> (count, first line)
        self.items_total = 0
        self.export_ids: set[str] = set()          # every item id in the file
        self.home = None
        self.redirects: RedirectWriter | None = None
        self.comments = None
        self.bulk = None                           # BulkArticleWriter during pass 2
        self.rebuilt: dict[str, int] = {}          # what the end-of-run rebuild handled
        self.stopped_tasks = 0                     # related-list tasks queued when the run stopped early
        self._sections: dict[int, object] = {}     # SectionPage pk -> page (read once)
        self._tag_objects: dict[int, object] = {}  # Tag pk -> tag (read once)
        self._kinds_before: dict[str, bool] = {}   # kind -> mapping rows existed at first look
        self._written: dict[str, set[str]] = {}    # kind -> WordPress ids mapped by this run

    # -- entry point -------------------------------------------------------------------

    def run(self) -> ImportReport:
        if self.dry_run:
            with transaction.atomic():
                self._run()
                transaction.set_rollback(True)
        else:
            self._run()
        for post_type, (count, line) in sorted(self.other_types.items()):
            self.report.count("other", "skipped", count)
            self.report.warn("other", "", line, f"{count} عنصرًا من نوع «{post_type}» لا تُستورد "
                                                "(قوائم التنقّل والأنواع المخصّصة)")
        return self.report

    def _run(self) -> None:
        from nashr.site.demo.loader import site_ensure_home

        from .comments import CommentImporter

        with transaction.atomic():
            self.home = site_ensure_home(site_name=settings.NASHR_SITE_NAME)
            self.redirects = RedirectWriter(report=self.report, home=self.home)
            self.comments = CommentImporter.if_available(importer=self)
        from .bulk import BulkArticleWriter

        try:
            with self._batches() as tick:
                self._pass_one(tick)
                self._categories_apply()
                self.bulk = BulkArticleWriter(importer=self) if self.use_bulk else None
                self._pass_two(tick)
                if self.bulk is not None:
                    self.bulk.flush()
            if self.bulk is not None and not self.dry_run:
                # what publishing each article would have queued, once for all
                self.rebuilt = self.bulk.rebuild()
        except BaseException:
            if self.bulk is not None and not self.dry_run and not self.rebuilt:
                try:
                    self.stopped_tasks = self.bulk.stopped()
                except Exception:  # the import's own error is the one to show
                    logger.exception("could not queue the related lists of the articles imported so far")
            raise

    @contextmanager
    def _batches(self):
        """Commit every :data:`BATCH` records: the database is not locked for
        the whole import (SQLite has one writer) and the tasks publishing
        queues on commit are handed over as the import goes, not held in
        memory to the end. Yields ``tick()``, called once per record."""
        state = {"tx": transaction.atomic(), "n": 0}
        state["tx"].__enter__()

        def tick() -> None:
            state["n"] += 1
            if state["n"] % BATCH == 0:
                state["tx"].__exit__(None, None, None)
                state["tx"] = transaction.atomic()
                state["tx"].__enter__()

        try:
            yield tick
        except BaseException as exc:
            state["tx"].__exit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            state["tx"].__exit__(None, None, None)

    def _until_broken(self, reader: WxrReader, *, quiet: bool = False):
        """The reader's records; where the file breaks off, stop (reported
        once) — unless nothing at all could be read, then raise."""
        read = 0
        try:
            for record in reader:
                read += 1
                yield record
        except WxrRefused:
            raise
        except WxrError as exc:
            if read == 0:
                raise
            if not quiet:
                self.report.warn("file", "", None, f"{exc} — استُورد ما قبل هذا السطر ولم يُقرأ ما بعده")

    def _reader(self, *, quiet: bool = False) -> WxrReader:
        """A reader; ``quiet`` for the second pass, whose repairs the first
        pass already reported."""
        return WxrReader(self.path, report=ImportReport() if quiet else self.report)

    def _bar(self, total: int | None, desc: str):
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=" عنصر", file=self.progress, disable=self.progress is None,
                    mininterval=0.5)

    def _set_source(self, reader: WxrReader) -> None:
        if not self.source:
            from urllib.parse import urlsplit

            url = reader.channel.base_blog_url or reader.channel.link or str(self.path.name)
            parts = urlsplit(url)
            self.source = (parts.netloc + parts.path.rstrip("/")) or url
            self.base_path = parts.path.rstrip("/")

    def _guard(self, kind: str, wp_id: str, line: int, func, *args) -> None:
        """Run one record's writes in a savepoint; report and skip it on error."""
        try:
            with transaction.atomic():
                outcome = func(*args)
        except MediaError as exc:
            self.report.count(kind, "skipped")
            self.report.warn(kind, wp_id, line, f"لم تُستورد الصورة: {exc}")
            return
        except Exception as exc:  # one bad record is reported and skipped, the import goes on
            logger.warning("WordPress %s %s (line %s) skipped", kind, wp_id, line, exc_info=True)
            self.report.count(kind, "skipped")
            self.report.warn(kind, wp_id, line, f"تعذّر الاستيراد: {type(exc).__name__}: {exc}")
            if kind in ("post", "page") and args and isinstance(args[-1], WxrItem):
                self.comments_skip(args[-1], "لم يُستورد المقال فلم يُستورد تعليقه")
            return
        if outcome:
            self.report.count(kind, outcome)

    # -- mapping table -------------------------------------------------------------------

    def _row(self, kind: str, wp_id: str, guid: str = "", *, check: bool = True) -> ImportedObject | None:
        """The mapping row of a WordPress object, or ``None``. ``check``:
        also verify its Nashr object still exists (one more query; callers
        that fetch the object anyway pass ``False`` and use :meth:`target`)."""
        if not self.may_have_rows(kind) and wp_id not in self._written.get(kind, ()):
            return None  # a first import: nothing of this kind was imported before this run
        row = ImportedObject.objects.filter(source=self.source, kind=kind, wp_id=wp_id).first()
        if row is None and guid:
            # the same GUID under a new id (the site was moved and re-exported);
            # never when that old id is still in this export (WordPress reuses
            # GUIDs for menu items and copies)
            row = ImportedObject.objects.filter(source=self.source, kind=kind, guid=guid).first()
            if row is not None and row.wp_id in self.export_ids:
                row = None
            if row is not None:
                row.wp_id = wp_id
        if check and row is not None and row.target is None:  # the object was deleted in Nashr
            row.delete()
            return None
        return row

    def may_have_rows(self, kind: str) -> bool:
        """Whether mapping rows of ``kind`` from this source existed when
        this run first asked (one query per kind and run). When none did,
        a lookup only has to consider the rows this run wrote
        (:meth:`written`), and a first import saves a query or two per record."""
        if kind not in self._kinds_before:
            self._kinds_before[kind] = ImportedObject.objects.filter(source=self.source, kind=kind).exists()
        return self._kinds_before[kind]

    def written(self, kind: str, wp_ids) -> None:
        """Note mapping rows written by this run (see :meth:`may_have_rows`)."""
        self._written.setdefault(kind, set()).update(wp_ids)

    @staticmethod
    def target(row: ImportedObject | None, model):
        """``row``'s object as ``model``, or ``None`` (a stale row, whose
        object an editor deleted, is removed so the object is imported again)."""
        if row is None:
            return None
        obj = model._default_manager.filter(pk=row.object_id).first()
        if obj is None and row.pk:
            row.delete()
        return obj

    def _remember(self, row: ImportedObject | None, *, kind: str, wp_id: str, obj, fp: str, guid: str = "") -> None:
        if row is None:
            row = ImportedObject(source=self.source, kind=kind, wp_id=wp_id)
        row.guid = guid[:500]
        row.content_type = ContentType.objects.get_for_model(obj.__class__)
        row.object_id = str(obj.pk)
        row.fingerprint = fp
        row.save()
        self.written(kind, [wp_id])

    # -- pass 1 --------------------------------------------------------------------------

    def _pass_one(self, tick) -> None:
        reader = self._reader()
        with self._bar(None, "1/2 كتّاب ووسوم وصور") as bar:
            for kind, record in self._until_broken(reader):
                self._set_source(reader)
                bar.update(1)
                tick()
                if kind == "author":
                    self._guard("author", record.login, record.line, self._author, record)
                elif kind == "term":
                    if record.taxonomy == "category":
                        self.categories[record.slug] = record
                    elif record.taxonomy == "post_tag":
                        self._guard("tag", record.term_id, record.line, self._tag, record)
                elif kind == "item":
                    self.items_total += 1
                    self.export_ids.add(record.post_id)
                    if record.post_type == "attachment":
                        if record.post_parent and record.post_parent != "0":
                            self.children.setdefault(record.post_parent, []).append(record.post_id)
                        self._guard("attachment", record.post_id, record.line, attachment_import, self, record)

    def _author(self, record) -> str:
        from nashr.articles.models import Author

        mapped = self.author_map.get(record.login, "")
        name = mapped or mapping.author_display_name(
            display_name=record.display_name, first_name=record.first_name,
            last_name=record.last_name, login=record.login)
        fp = mapping.fingerprint({"name": name})
        row = self._row("author", record.login)
        if row is not None:
            self.authors[record.login] = int(row.object_id)
            if row.fingerprint == fp:
                return "unchanged"
            author = Author.objects.get(pk=row.object_id)
            if not mapped:
                author.name = name
                author.save()
            self._remember(row, kind="author", wp_id=record.login, obj=author, fp=fp)
            return "updated"
        author = (Author.objects.filter(slug=mapped).first() if mapped else None) \
            or Author.objects.filter(name=name).first()
        outcome = "unchanged" if author is not None else "imported"
        if author is None:
            author = Author.objects.create(name=name)
        self.authors[record.login] = author.pk
        self._remember(None, kind="author", wp_id=record.login, obj=author, fp=fp)
        return outcome

    def _tag_object(self, *, name: str, slug: str):
        from taggit.models import Tag

        from nashr.articles.services import tag_slug

        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            wanted = mapping.wp_slug(post_name=slug, title=name, fallback="tag")
            taken = Tag.objects.filter(slug=wanted).exists()
            tag = Tag.objects.create(name=name, slug=tag_slug(name=wanted) if taken else wanted)
        return tag

    def _tag(self, record: WxrTerm) -> str:
        from taggit.models import Tag

        name = html.unescape(record.name) or unquote(record.slug)
        fp = mapping.fingerprint({"name": name})
        row = self._row("tag", record.term_id)
        if row is not None and row.fingerprint == fp:
            tag = Tag.objects.get(pk=row.object_id)
            outcome = "unchanged"
        else:
            tag = self._tag_object(name=name, slug=record.slug)
            outcome = "imported" if row is None else "updated"
            self._remember(row, kind="tag", wp_id=record.term_id, obj=tag, fp=fp)
        self.tags[unquote(record.slug)] = tag.pk
        self.redirects.term(taxonomy="post_tag", slug=record.slug, parents=[],
                            base_path=self.base_path, target_url=f"/tag/{tag.slug}/")
        return outcome

    # -- between the passes ----------------------------------------------------------------

    def _categories_apply(self) -> None:
        from .sections import categories_apply

        categories_apply(importer=self)

    # -- pass 2 ----------------------------------------------------------------------------

    def _pass_two(self, tick) -> None:
        from .posts import item_import

        with self._bar(self.items_total or None, "2/2 مقالات وصفحات") as bar:
            for kind, record in self._until_broken(self._reader(quiet=True), quiet=True):
                if kind != "item":
                    continue
                bar.update(1)
                tick()
                if record.post_type in ("post", "page"):
                    self._guard(record.post_type, record.post_id, record.line, item_import, self, record)
                    if self.bulk is not None and self.bulk.full():
                        self.bulk.flush()
                elif record.post_type != "attachment":
                    count, line = self.other_types.get(record.post_type or "?", (0, record.line))
                    self.other_types[record.post_type or "?"] = (count + 1, line)

    # -- helpers for posts.py ----------------------------------------------------------------

    def section_get(self, pk: int):
        """The SectionPage ``pk`` (read once per run; its tree fields may be
        stale, so writers that add children read it again), or ``None``."""
        from nashr.articles.models import SectionPage

        if pk not in self._sections:
            self._sections[pk] = SectionPage.objects.filter(pk=pk).first()
        return self._sections[pk]

    def tags_get(self, pks: list[int]) -> list:
        """The tags ``pks`` (read once per run), sorted by name; pks of
        deleted tags are left out."""
        from taggit.models import Tag

        missing = [pk for pk in pks if pk not in self._tag_objects]
        if missing:
            found = {t.pk: t for t in Tag.objects.filter(pk__in=missing)}
            for pk in missing:
                if pk in found:
                    self._tag_objects[pk] = found[pk]
        return sorted((self._tag_objects[pk] for pk in pks if pk in self._tag_objects), key=lambda t: (t.name, t.pk))

    def image_resolve(self, ref: ImageRef) -> int | None:
        """NewsImage pk for a photo in content; fills an empty credit from
        the caption's ``name | agency``."""
        pk = self.images.get(ref.attachment_id) if ref.attachment_id else None
        if pk is None and ref.src:
            pk = self.image_keys.get(mapping.media_key(ref.src))
        if pk is not None and pk != DRY_RUN_IMAGE and (ref.credit_photographer or ref.credit_agency):
            from nashr.articles.images import NewsImage

            image = NewsImage.objects.filter(pk=pk).first()
            if image is not None and not (image.credit_photographer or image.credit_agency):
                NewsImage.objects.filter(pk=pk).update(
                    credit_photographer=ref.credit_photographer[:255], credit_agency=ref.credit_agency[:255])
        return pk

    def comments_skip(self, item: WxrItem, reason: str) -> None:
        """Count and report every comment of ``item`` as skipped."""
        for comment in item.comments:
            self.report.count("comment", "skipped")
            self.report.warn("comment", comment.wp_id, comment.line, reason)

    def now(self):
        return timezone.now()
