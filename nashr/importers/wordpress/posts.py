"""Posts → ``ArticlePage``, pages → ``SimplePage``.

Two ways to write them, with the same result in the database:

- **new published articles** (the bulk of any export) are handed to
  :class:`.bulk.BulkArticleWriter`, which writes a batch of them with a few
  statements per table instead of Wagtail's page API;
- everything else goes through Wagtail's page API: ``add_child``, then
  ``save_revision().publish()`` for live pages (and for scheduled ones, whose
  ``go_live_at`` makes Wagtail hold the revision until the scheduler
  publishes it), an unpublished revision for drafts; updates of imported
  pages (a newer export), moves, drafts, scheduled posts and pages.

WordPress page hierarchies are flattened: every page becomes a simple page
under the home page (``SimplePage`` may not nest); its old nested URL
redirects to the new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from django.conf import settings

from nashr.arabic import strip_html

from . import mapping
from .content import content_to_blocks
from .reader import WxrItem
from .sections import category_ancestors, fallback_section


@dataclass
class PreparedPost:
    """One post or page mapped to Nashr's values, not written yet."""

    item: WxrItem
    kind: str                     # "post" or "page"
    title: str
    slug: str                     # before de-duplication among siblings
    body: list
    state: object                 # mapping.PostState
    date: datetime | None
    values: dict                  # what the fingerprint is made of
    fp: str
    row: object = None            # the ImportedObject row, or None
    page: object = None           # the page imported before, or None
    section: object = None        # posts: the SectionPage
    tags: list = field(default_factory=list)
    author_pk: int | None = None


def _section_and_tags(importer, item: WxrItem):
    """The section page of a post and the pks of its tags (post tags, then
    sub-categories and extra categories)."""
    section_pk = None
    tag_pks: list[int] = []
    for domain, slug, name in item.categories:
        if domain == "category":
            target = importer.category_target.get(slug)
            if target is None:  # a category the export did not list
                top = None
            else:
                ancestors = category_ancestors(importer.categories, slug)
                top = importer.category_target.get(ancestors[0]) if ancestors else target
            if section_pk is None and top is not None and top[0] == "section":
                section_pk = top[1]
                if target and target[0] == "tag":
                    tag_pks.append(target[1])
            elif target is not None and target[0] == "tag":
                tag_pks.append(target[1])
            else:
                tag_pks.append(importer._tag_object(name=name or unquote(slug), slug=slug).pk)
        elif domain == "post_tag":
            pk = importer.tags.get(unquote(slug))
            if pk is None:
                pk = importer._tag_object(name=name or unquote(slug), slug=slug).pk
                importer.tags[unquote(slug)] = pk
            tag_pks.append(pk)
    section = importer.section_get(section_pk) if section_pk else None
    if section is None:
        section = fallback_section(importer=importer)
    # sorted by name, as the tags were when read from the database
    tags = importer.tags_get(list(dict.fromkeys(tag_pks)))
    return section, tags


def item_prepare(importer, item: WxrItem) -> PreparedPost | str:
    """Map one post or page (content conversion, section, tags, dates);
    returns the values to write, or ``"skipped"`` (reported)."""
    from nashr.articles.models import ArticlePage, SimplePage

    kind = item.post_type
    state = mapping.post_state(status=item.status, password=item.post_password)
    for note in state.notes:
        importer.report.warn(kind, item.post_id, item.line, note)
    if state.state == "skip":
        importer.comments_skip(item, "لم يُستورد المقال فلم يُستورد تعليقه")
        return "skipped"

    def warn(message: str) -> None:
        importer.report.warn(kind, item.post_id, item.line, message)

    # WordPress titles may carry markup and entities ("Title <em>With</em> &amp; Markup")
    title = " ".join(strip_html(item.title or "").split())[:255] or f"بلا عنوان #{item.post_id}"
    if not title.strip() or title.startswith("بلا عنوان #"):
        warn("لا عنوان في ووردبريس؛ استُعمل عنوان مؤقت")
    slug = mapping.wp_slug(post_name=item.post_name, title=title, fallback=f"{kind}-{item.post_id}")
    body = content_to_blocks(item.content, resolve=importer.image_resolve, warn=warn,
                             children=importer.children.get(item.post_id))
    date = mapping.wp_datetime(gmt=item.post_date_gmt, local=item.post_date, tz_name=settings.TIME_ZONE)
    values = {"title": title, "slug": slug, "body": body, "state": state.state}
    prepared = PreparedPost(item=item, kind=kind, title=title, slug=slug, body=body, state=state, date=date,
                            values=values, fp="")
    if kind == "post":
        section, tags = _section_and_tags(importer, item)
        author_pk = importer.authors.get(item.creator)
        if item.creator and author_pk is None:
            warn(f"الكاتب «{item.creator}» غير موجود في قائمة الكتّاب")
        lead_pk = importer.images.get(item.meta.get("_thumbnail_id", "").strip())
        if item.meta.get("_thumbnail_id") and lead_pk is None:
            warn("الصورة الرئيسية (_thumbnail_id) غير موجودة في الاستيراد")
        values.update(
            section=section.pk, tags=[t.pk for t in tags], author=author_pk,
            lead=lead_pk if lead_pk and lead_pk > 0 else None,
            standfirst=strip_html(item.excerpt).strip()[:600], featured=item.is_sticky == "1",
            comments_open=item.comment_status == "open", access=state.access,
            date=date.isoformat() if date else None,
        )
        prepared.section, prepared.tags, prepared.author_pk = section, tags, author_pk
    else:
        if item.post_parent and item.post_parent != "0":
            warn("صفحة فرعية في ووردبريس؛ صارت صفحة تحت الرئيسية مباشرة")
    prepared.fp = mapping.fingerprint(values)
    row = importer._row(kind, item.post_id, item.guid, check=False)
    page = importer.target(row, ArticlePage if kind == "post" else SimplePage)
    prepared.row, prepared.page = (row, page) if page is not None else (None, None)
    return prepared


def goes_live_now(prepared: PreparedPost, *, now) -> bool:
    """Whether the post is published by this import (live, or scheduled
    for a time already past)."""
    state, date = prepared.state.state, prepared.date
    return state == "live" or (state == "scheduled" and not (date is not None and date > now))


def item_import(importer, item: WxrItem) -> str | None:
    """Import one post or page; returns the outcome for the report, or
    ``None`` when the post was handed to the bulk writer (which reports it)."""
    bulk = importer.bulk
    if bulk is not None and bulk.holds(item.post_id):
        bulk.flush()  # the same id twice in one export: the first must be written first
    prepared = item_prepare(importer, item)
    if isinstance(prepared, str):
        return prepared
    if (bulk is not None and prepared.kind == "post" and prepared.page is None
            and goes_live_now(prepared, now=importer.now())):
        bulk.add(prepared)
        return None
    if bulk is not None:
        # pages written one by one must see every page written before them
        # (unique slugs among siblings, redirects: the first claim wins)
        bulk.flush()
    return item_write(importer, prepared)


def item_write(importer, prepared: PreparedPost) -> str:
    """Write a prepared post or page through Wagtail's page API; returns
    ``"imported"``, ``"updated"`` or ``"unchanged"``."""
    from nashr.articles.models import ArticleAuthor, ArticlePage, SectionPage, SimplePage

    item, kind, state, date = prepared.item, prepared.kind, prepared.state, prepared.date
    values, fp, row, page = prepared.values, prepared.fp, prepared.row, prepared.page
    model = ArticlePage if kind == "post" else SimplePage
    if page is not None and row.fingerprint == fp:
        outcome = "unchanged"
    else:
        outcome = "imported" if page is None else "updated"
        if page is None:
            page = model(slug=prepared.slug, live=False)
        page.title = prepared.title
        page.body = prepared.body
        if kind == "post":
            page.standfirst = values["standfirst"]
            page.lead_image_id = values["lead"]
            page.featured = values["featured"]
            page.comments_open = values["comments_open"]
            page.access = state.access
            page.tags.set(prepared.tags)
            page.authors = [ArticleAuthor(author_id=prepared.author_pk, sort_order=0)] if prepared.author_pk else []
            # read again: the cached section's tree fields (numchild) may be stale
            parent = SectionPage.objects.get(pk=prepared.section.pk)
        else:
            parent = importer.home
        if page.pk is None:
            parent.add_child(instance=page)
        else:
            if page.get_parent().pk != parent.pk:
                page.move(parent, pos="last-child")
                page = model.objects.get(pk=page.pk)
                return _apply(importer, item, page, values, state, date, row, fp, outcome)
            page.save()
        _publish(page, state=state.state, date=date, kind=kind, now=importer.now())
        importer._remember(row, kind=kind, wp_id=item.post_id, obj=page, fp=fp, guid=item.guid)
    importer.redirects.to_page(paths=mapping.old_paths_for_item(
        link=item.link, guid=item.guid, post_id=item.post_id, post_type=kind, base_path=importer.base_path),
        page=page)
    _comments(importer, item, page, is_new=outcome == "imported")
    return outcome


def _comments(importer, item: WxrItem, page, *, is_new: bool = False) -> None:
    if not item.comments:
        return
    if item.post_type != "post":
        importer.comments_skip(item, "تعليق على صفحة ثابتة؛ التعليقات في نشر للمقالات فقط")
    elif importer.comments is None:
        importer.comments_skip(item, "تطبيق التعليقات غير متاح في قاعدة البيانات؛ لم يُستورد التعليق")
    else:
        importer.comments.import_for(item=item, article=page, article_is_new=is_new)


def _apply(importer, item, page, values, state, date, row, fp, outcome):
    """Finish an update after a move (the moved page is re-read first)."""
    from taggit.models import Tag

    from nashr.articles.models import ArticleAuthor

    page.title, page.body = values["title"], values["body"]
    page.standfirst, page.lead_image_id = values["standfirst"], values["lead"]
    page.featured, page.comments_open, page.access = values["featured"], values["comments_open"], state.access
    page.tags.set(list(Tag.objects.filter(pk__in=values["tags"])))
    page.authors = [ArticleAuthor(author_id=values["author"], sort_order=0)] if values["author"] else []
    page.save()
    _publish(page, state=state.state, date=date, kind=item.post_type, now=importer.now())
    importer._remember(row, kind=item.post_type, wp_id=item.post_id, obj=page, fp=fp, guid=item.guid)
    importer.redirects.to_page(paths=mapping.old_paths_for_item(
        link=item.link, guid=item.guid, post_id=item.post_id, post_type=item.post_type,
        base_path=importer.base_path), page=page)
    _comments(importer, item, page)
    return outcome


def _publish(page, *, state: str, date, kind: str, now) -> None:
    """Save a revision and publish, schedule or keep it as a draft; set the
    WordPress dates on a live article."""
    from nashr.articles.models import ArticlePage

    if state == "scheduled" and date is not None and date > now:
        page.go_live_at = date
        page.save(update_fields=["go_live_at"])
        page.save_revision().publish()
        return
    if state in ("live", "scheduled"):
        page.go_live_at = None
        page.save_revision().publish()
        if kind == "post" and date is not None:
            ArticlePage.objects.filter(pk=page.pk).update(
                first_published_at=date, last_published_at=date, date_published=date)
        return
    page.save_revision()
