"""Reads for pages, feeds and sitemaps. Every selector issues a fixed number
of SQL queries, whatever the number of tags, authors or images involved."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from nashr.arabic import reading_time_minutes

from .blocks import body_plain_text

#: Rendition specs used on pages, prefetched together (one query per image set).
CARD_SPECS = ("fill-320x180", "fill-640x360", "fill-960x540")
LEAD_SPECS = ("width-480", "width-800", "width-1200", "width-1600")
OG_SPEC = "fill-1200x630"
AUTHOR_PHOTO_SPECS = ("fill-96x96", "fill-192x192")
#: Body images' specs (``nashr.articles.body_html.FIGURE_SPECS``).
FIGURE_SPECS = ("width-480", "width-800", "width-1200")


def articles_live() -> QuerySet:
    """Live, public articles, newest first, with lead images and their
    renditions prefetched (two queries in all when iterated)."""
    from .images import NewsImage
    from .models import ArticlePage

    return (
        ArticlePage.objects.live()
        .public()
        .select_related("lead_image")
        .prefetch_related(
            Prefetch("lead_image__renditions"),
        )
        .order_by("-date_published", "-pk")
    )


def sections_live() -> QuerySet:
    from .models import SectionPage

    return SectionPage.objects.live().public().order_by("path")


#: per-process cache of the live sections: (expires_at, [SectionPage])
_SECTIONS_CACHE: dict[str, tuple[float, list]] = {}
SECTIONS_TTL_S = 30.0


def sections_cache_clear(**kwargs) -> None:
    """Forget the cached section list (connected to publish, unpublish and
    delete of pages; other processes refresh within SECTIONS_TTL_S)."""
    _SECTIONS_CACHE.clear()


def sections_for_request(request) -> list:
    """The live sections for navigation, footer and an article's own
    section: one list per request, itself cached per process for
    :data:`SECTIONS_TTL_S` seconds (sections change rarely)."""
    import time

    if request is None:
        return list(sections_live())
    cached = getattr(request, "_nashr_sections", None)
    if cached is None:
        now = time.monotonic()
        hit = _SECTIONS_CACHE.get("sections")
        if hit is None or hit[0] < now:
            hit = _SECTIONS_CACHE["sections"] = (now + SECTIONS_TTL_S, list(sections_live()))
        cached = request._nashr_sections = hit[1]
    return cached


def section_map() -> dict[str, Any]:
    """``{section.path: section}`` so a card's section is found from the
    article's tree path without a query per card."""
    return {s.path: s for s in sections_live()}


def attach_sections(articles, sections: dict[str, Any] | None = None):
    """Set ``article.section`` for each article from the page-tree path."""
    sections = section_map() if sections is None else sections
    steplen = 4  # treebeard's MP_Node.steplen, fixed by Wagtail
    for article in articles:
        article.section = sections.get(article.path[:-steplen])
    return articles


def article_for_path(*, home, path_components) -> Any:
    """The live article at ``/<section-slug>/<article-slug>/`` under
    ``home``, in one query (slug index, then the stored ``url_path``), or
    None when the path has another shape or no live article is there."""
    from .models import ArticlePage

    if len(path_components) != 2:
        return None
    url_path = f"{home.url_path}{path_components[0]}/{path_components[1]}/"
    # The ORM builds the same SQL for every article URL, and building it
    # costs more than running it: it is built once per process
    # (:func:`objects_cached`), which gives the same ArticlePage, its field
    # values converted as usual.
    from django.db import router

    alias = router.db_for_read(ArticlePage)
    found = objects_cached(
        ArticlePage, ("article_for_path", alias),
        lambda slug, url: ArticlePage.objects.using(alias).filter(slug=slug, url_path=url, live=True)
        .order_by("pk")[:1],
        path_components[1], url_path, alias=alias)
    return found[0] if found else None


#: ``{key: (sql, placeholder params)}`` built by :func:`queryset_sql_cached`
_SQL_CACHE: dict[tuple, tuple[str, tuple]] = {}


def queryset_sql_cached(key: tuple, build, *values, alias: str) -> tuple[str, list]:
    """The SQL and parameters of the queryset ``build(*values)``, the SQL
    compiled once per process for ``key`` with placeholder values (each
    replaced by its real value here). For hot queries whose shape never
    changes: compiling a queryset costs more than SQLite takes to run it."""
    from django.db import connections

    placeholders = _placeholders(values)
    cached = _SQL_CACHE.get(key)
    if cached is None:
        query = build(*placeholders).query
        sql, params = query.get_compiler(connection=connections[alias]).as_sql()
        if {str(p) for p in params if type(p) in (str, int) and p in placeholders} != set(map(str, placeholders)):
            raise ValueError(f"cannot cache the SQL of {key!r}: a value is not bound as given")
        cached = _SQL_CACHE[key] = (sql, tuple(params))
    sql, params = cached
    by_placeholder = dict(zip(placeholders, values))
    return sql, [by_placeholder.get(p, p) if type(p) in (str, int) else p for p in params]


_INT_PLACEHOLDER = -7_391_004_117


def _placeholders(values) -> list:
    """A placeholder per value: a string for a string, an unlikely negative
    number for a number (an id lookup would refuse a string)."""
    return [_INT_PLACEHOLDER - i if isinstance(v, int) else f"\x00nashr-placeholder-{i}\x00"
            for i, v in enumerate(values)]


#: ``{key: (field attnames, {annotation: column index}, [(column index,
#: (converters, column))])}`` for :func:`objects_cached`
_ROW_READERS: dict[tuple, tuple] = {}


def objects_cached(model, key: tuple, build, *values, alias: str) -> list:
    """The ``model`` objects of the queryset ``build(*values)``, what
    iterating it gives (fields left out by ``only``/``defer`` deferred,
    annotations set as attributes), for a queryset of ``model`` without
    ``select_related``, ``values`` or ``extra``. Its SQL is built once per
    process for ``key`` (:func:`queryset_sql_cached`), and so is what turns
    a row into an object: which column is which field or annotation, and
    each column's conversion from the database value (dates, booleans...),
    as the ORM applies it. Raises ``ValueError`` for a queryset it cannot
    read this way."""
    names, annotations, rows = rows_cached(model, key, build, *values, alias=alias)
    width = len(names)
    found = []
    for row in rows:
        obj = model.from_db(alias, names, row[:width] if annotations else row)
        for name, pos in annotations.items():
            setattr(obj, name, row[pos])
        found.append(obj)
    return found


def rows_cached(model, key: tuple, build, *values, alias: str) -> tuple[list[str], dict[str, int], list]:
    """The rows of the ``model`` queryset ``build(*values)`` as
    :func:`objects_cached` reads them, before any object is made:
    ``(field attnames, {annotation: column index}, rows)``, each row a
    sequence whose columns are those fields (first, in that order), then the
    annotations, every value converted from the database value as the ORM
    converts it. For readers that need the values, not model instances
    (a card of an article). Same SQL cache, same errors."""
    from django.db import connections

    sql, params = queryset_sql_cached(key, build, *values, alias=alias)
    reader = _ROW_READERS.get(key)
    if reader is None:
        reader = _ROW_READERS[key] = _row_reader(model, build(*_placeholders(values)), key=key)
    names, annotations, converters = reader
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:  # as SQLCompiler.apply_converters, with this thread's connection
        rows = [list(row) for row in rows]
        for row in rows:
            for pos, (functions, expression) in converters:
                value = row[pos]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[pos] = value
    return names, annotations, rows


def _row_reader(model, queryset, *, key) -> tuple:
    """What :func:`objects_cached` needs to read ``queryset``'s rows: the
    attnames of its model columns (which come first), its annotations'
    column positions and the columns' converters."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    compiler.setup_query()
    info = compiler.klass_info or {}
    fields = info.get("select_fields", [])
    if (info.get("model") is not model or "related_klass_infos" in info and info["related_klass_infos"]
            or fields != list(range(len(fields)))
            or len(fields) + len(compiler.annotation_col_map) != len(compiler.select)):
        raise ValueError(f"cannot read {model.__name__} rows for {key!r}")
    columns = [column for column, _, _ in compiler.select]
    names = [column.target.attname for column in columns[:len(fields)]]
    return names, dict(compiler.annotation_col_map), list(compiler.get_converters(columns).items())


#: ``{database alias: the restrictions queryset of a page without any}``
_NO_RESTRICTIONS: dict[str, QuerySet] = {}


def page_view_restrictions(*, page) -> QuerySet:
    """What :meth:`wagtail.models.Page.get_view_restrictions` returns —
    the view restrictions (Wagtail's "privacy") of ``page`` and of its
    ancestors — read in ONE query instead of two: the ancestors' rows and
    their restrictions joined, found by tree path (an ancestor's path is a
    prefix of the page's). Returns a queryset whose result is already
    loaded (iterating it or testing it runs no query; refining it, as the
    admin does, queries again). When the page or an ancestor is an alias,
    whose restrictions are its source page's, Wagtail's own method answers."""
    from django.db import router
    from wagtail.models import Page, PageViewRestriction

    if page.alias_of_id or not page.path:
        return Page.get_view_restrictions(page)
    steplen = 4  # treebeard's MP_Node.steplen, fixed by Wagtail
    paths = [page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)]
    alias = router.db_for_read(PageViewRestriction)
    fields = [f for f in PageViewRestriction._meta.concrete_fields]
    sql, params = queryset_sql_cached(
        ("page_view_restrictions", alias, len(paths)),
        lambda *p: Page.objects.using(alias).filter(path__in=list(p))
        .values_list("alias_of_id", *[f"view_restrictions__{f.name}" for f in fields]),
        *paths, alias=alias)
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(row[0] is not None for row in rows):
        return Page.get_view_restrictions(page)
    names = [f.attname for f in fields]
    found = [PageViewRestriction.from_db(alias, names, row[1:]) for row in rows if row[1] is not None]
    if found:
        restrictions = PageViewRestriction.objects.using(alias).filter(pk__in=[r.pk for r in found])
    else:
        # the usual answer, the same queryset each time: a copy of one
        # built once per process (building a filter costs more than the
        # query above)
        empty = _NO_RESTRICTIONS.get(alias)
        if empty is None:
            empty = _NO_RESTRICTIONS[alias] = PageViewRestriction.objects.using(alias).filter(pk__in=[])
        restrictions = empty._chain()
    restrictions._result_cache = found
    restrictions._prefetch_done = True
    return restrictions


def paginate_or_404(request, queryset, *, per_page: int | None = None):
    """A page of ``queryset`` for ``?page=N``; a non-integer, negative,
    absurdly long or out-of-range page number raises :class:`Http404`."""
    per_page = per_page or settings.NASHR_ARTICLES_PER_PAGE
    raw = request.GET.get("page", "1")
    if len(raw) > 6:
        raise Http404("bad page number")
    try:
        page = Paginator(queryset, per_page, allow_empty_first_page=True).page(raw)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("bad page number")
    attach_sections(page.object_list)
    return page


def articles_in_section(*, section) -> QuerySet:
    return articles_live().child_of(section)


def articles_with_tag(*, slug: str) -> QuerySet:
    return articles_live().filter(tags__slug=slug).distinct()


def articles_by_author(*, author) -> QuerySet:
    return articles_live().filter(authors__author=author).distinct()


def home_page_blocks(*, home) -> dict[str, Any]:
    """The home page: ``lead`` (the editor's lead story, else the newest
    featured article, else the newest), ``latest`` (up to 6 more) and
    ``section_blocks`` (a list of ``(section, [up to 4 articles])``)."""
    sections = section_map()
    recent = list(articles_live()[:30])
    lead = None
    if home.lead_story_id:
        lead = next((a for a in recent if a.pk == home.lead_story_id), None)
        if lead is None:
            lead = articles_live().filter(pk=home.lead_story_id).first()
    if lead is None:
        lead = next((a for a in recent if a.featured), None) or (recent[0] if recent else None)
    latest = [a for a in recent if lead is None or a.pk != lead.pk][:6]
    shown = {a.pk for a in latest} | ({lead.pk} if lead else set())
    by_section: dict[str, list] = {}
    for article in articles_top_per_section(home=home, per_section=4 + len(shown)):
        if article.pk not in shown:
            by_section.setdefault(article.path[:-4], []).append(article)
    section_blocks = [(s, by_section[path][:4]) for path, s in sections.items() if by_section.get(path)]
    attach_sections([lead] if lead else [], sections)
    attach_sections(latest, sections)
    for _, items in section_blocks:
        attach_sections(items, sections)
    return {"lead": lead, "latest": latest, "section_blocks": section_blocks}


def articles_top_per_section(*, home, per_section: int) -> list:
    """The newest ``per_section`` live articles of every section under
    ``home``, in one query whatever the number of sections (a window
    function ranks articles within their section; SQLite >= 3.25 and
    PostgreSQL both have them)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber, Substr

    steplen = 4
    section_path = Substr("path", 1, (home.depth + 1) * steplen)
    return list(
        articles_live()
        .filter(depth=home.depth + 2, path__startswith=home.path)
        .annotate(rank=Window(RowNumber(), partition_by=[section_path],
                              order_by=[F("date_published").desc(), F("pk").desc()]))
        .filter(rank__lte=per_section)
    )


def article_meta_description(article) -> str:
    """The article's description (meta, OpenGraph, Twitter, JSON-LD, feeds):
    the editor's search description, else the standfirst, else the start of
    the body — but never body text for an article gated for members
    (:func:`nashr.members.selectors.article_gated`): then the title."""
    from nashr.members.selectors import article_gated

    text = article.search_description or article.standfirst
    if not text:
        text = article.title if article_gated(article=article) else body_plain_text(article.body)[:300]
    return " ".join(text.split())[:300]


def page_absolute_url(page) -> str:
    """The public absolute URL of a page: ``NASHR_SITE_URL`` + its path
    (percent-encoded, as Wagtail gives it), whatever host the request used."""
    from .page_urls import page_url_parts

    parts = page_url_parts(page)
    if parts is None:  # not routable yet, e.g. the preview of a new page
        return settings.SITE_URL + "/"
    return settings.SITE_URL + parts[2]


def absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def article_json_ld(*, article, authors, og_image, gated: bool = False) -> str:
    """JSON-LD ``NewsArticle`` (schema.org; Google's article structured data),
    safe to embed in a ``<script>`` (``<``, ``>`` and ``&`` escaped).

    A ``gated`` article (members only) carries Google's paywalled-content
    markup: ``isAccessibleForFree: false`` and a ``hasPart``
    ``WebPageElement`` whose ``cssSelector`` names the members-only part
    (developers.google.com/search/docs/appearance/structured-data/paywalled-content)."""
    published = article.published
    url = page_absolute_url(article)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article_meta_description(article),
        "inLanguage": "ar",
        "mainEntityOfPage": url,
        "url": url,
        "datePublished": published.isoformat() if published else None,
        "dateModified": (article.date_updated or article.last_published_at or published).isoformat()
        if published
        else None,
        "author": [
            {"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())}
            for a in authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.NASHR_SITE_NAME,
            "url": settings.SITE_URL + "/",
            "logo": {
                "@type": "ImageObject",
                "url": settings.SITE_URL + settings.STATIC_URL + "nashr/logo.png",
                "width": 512,
                "height": 512,
            },
        },
    }
    if og_image is not None:
        from .images import rendition_url

        data["image"] = [absolute(rendition_url(og_image))]
    if gated:
        from nashr.members.selectors import GATED_PART_CLASS

        data["isAccessibleForFree"] = False
        data["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False,
                           "cssSelector": f".{GATED_PART_CLASS}"}
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def article_page_context(*, article, request) -> dict[str, Any]:
    """Everything the article template shows, in a fixed number of queries.

    ``fragments`` (:class:`nashr.articles.fragments.ArticleFragments`) holds
    the parts of the page already in the fragment cache; when every part
    built from this context is there, the bylines, tags, lead image and
    JSON-LD are not read at all (no query for them)."""
    from nashr.members.selectors import article_access_for_request

    from .fragments import article_fragments

    # The gate: a reader without access is sent only the first blocks;
    # ``gated_blocks`` (the members-only rest) is empty for them.
    access = article_access_for_request(article, request)
    parent_path = article.path[:-4]  # treebeard steplen is 4
    sections = sections_for_request(request)
    section = next((s for s in sections if s.path == parent_path), None)
    if section is None:  # e.g. a preview, or a section not live
        section = article.get_parent().specific_deferred
    fragments = article_fragments(article=article, request=request, access=access, sections=sections)
    context: dict[str, Any] = {"access": access, "section": section, "fragments": fragments}
    if not fragments.context_complete:
        # before the description, which may read the body: the body's
        # images are read with the lead image (see _article_page_parts)
        context.update(_article_page_parts(article=article, request=request, access=access))
    context["meta_description"] = article_meta_description(article)
    return context


def _article_page_parts(*, article, request, access) -> dict[str, Any]:
    """The byline, tags, lead image, body blocks, JSON-LD, canonical URL
    and share-link values of an article page (the parts the fragment cache
    keeps)."""
    from django.template.defaultfilters import urlencode

    from .images import NewsImage
    from .models import Author

    body_images = None
    if article.pk and not getattr(article, "_cluster_related_objects", None):
        # A page as stored (not a preview with its byline and tags in
        # memory): its rows read with SQL built once per process, and the
        # lead image, byline photos and body images in one read.
        from .blocks import body_image_ids

        authors = article_authors(article_id=article.pk)
        tags = article_tags(article_id=article.pk)
        body_ids = body_image_ids(article.body)
        specs_by_id: dict[int, set] = {}
        for ids, specs in (([article.lead_image_id], (*LEAD_SPECS, OG_SPEC)),
                           ([a.photo_id for a in authors], AUTHOR_PHOTO_SPECS), (body_ids or (), FIGURE_SPECS)):
            for image_id in ids:
                if image_id is not None:
                    specs_by_id.setdefault(image_id, set()).update(specs)
        images = images_with_renditions(specs_by_id=specs_by_id)
        if body_ids is not None:
            body_images = {pk: images[pk] for pk in body_ids if pk in images}
        photo = Author._meta.get_field("photo")
        for author in authors:
            photo.set_cached_value(author, images.get(author.photo_id))
        lead_image = images.get(article.lead_image_id)
    else:
        # ``article.authors`` gives the in-memory byline in admin previews
        # (even of a page not saved yet).
        links = list(
            article.authors.all()
            .select_related("author", "author__photo")
            .prefetch_related("author__photo__renditions")
            .order_by("sort_order")
        )
        authors = [link.author for link in links]
        tags = list(article.tags.all())
        lead_image = None
        if article.lead_image_id:
            lead_image = NewsImage.objects.filter(pk=article.lead_image_id).prefetch_renditions().first()
    canonical_url = page_absolute_url(article)
    renditions = {}
    if lead_image is not None:
        from .images import rendition_filters

        renditions = lead_image.get_renditions(*rendition_filters(",".join((*LEAD_SPECS, OG_SPEC))))
    og_image = renditions.get(OG_SPEC)
    og_image_url = ""
    if og_image:
        from .images import rendition_url

        og_image_url = absolute(rendition_url(og_image))
    if body_images is not None:
        from .blocks import body_images_read

        with body_images_read(body_images):
            body_blocks = list(article.body)
    else:
        body_blocks = list(article.body)
    reading_minutes = article_reading_minutes(article=article, cacheable=not getattr(request, "is_preview", False))
    gated_blocks: list = []
    if access.gated:
        body_blocks, rest = body_blocks[:access.free_blocks], body_blocks[access.free_blocks:]
        gated_blocks = rest if access.full else []
    return {
        "body_blocks": body_blocks,
        "gated_blocks": gated_blocks,
        "authors": authors,
        "tags": tags,
        "lead_image": lead_image,
        "og_image": og_image,
        "og_image_url": og_image_url,
        "reading_minutes": reading_minutes,
        "json_ld": article_json_ld(article=article, authors=authors, og_image=og_image, gated=access.gated),
        "canonical_url": canonical_url,
        # the share links' query values (``urlencode`` with nothing kept)
        "share_url": urlencode(canonical_url, ""),
        "share_title": urlencode(article.title, ""),
    }


def _rows(key: tuple, build, *values, alias: str) -> list[tuple]:
    """The rows of the queryset ``build(*values)`` (its SQL built once per
    process, :func:`queryset_sql_cached`), as the database driver gives
    them: for ``values_list`` reads of columns that need no conversion."""
    from django.db import connections

    sql, params = queryset_sql_cached(key, build, *values, alias=alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def article_authors(*, article_id: int) -> list:
    """The byline of stored article ``article_id``: its
    :class:`~nashr.articles.models.Author` objects in byline order
    (``sort_order``), in one query. Each author's ``photo`` is not loaded
    (``photo_id`` is set)."""
    from django.db import router

    from .models import ArticleAuthor, Author

    alias = router.db_for_read(Author)
    # id, name, slug, bio, photo_id: none needs a conversion from the database
    names = [f.attname for f in Author._meta.concrete_fields]
    rows = _rows(("article_authors", alias),
                 lambda pk: ArticleAuthor.objects.using(alias).filter(page_id=pk).order_by("sort_order")
                 .values_list(*[f"author__{name}" for name in names]),
                 int(article_id), alias=alias)
    return [Author.from_db(alias, names, row) for row in rows]


def article_tags(*, article_id: int) -> list:
    """The tags of stored article ``article_id`` (taggit ``Tag`` objects),
    in the order they were added, as ``article.tags.all()`` gives them, in
    one query."""
    from django.db import router
    from taggit.models import Tag

    alias = router.db_for_read(Tag)
    names = ["id", "name", "slug"]
    rows = _rows(("article_tags", alias),
                 lambda pk: Tag.objects.using(alias).filter(articles_articletag_items__content_object_id=pk)
                 .order_by("articles_articletag_items__id").values_list(*names),
                 int(article_id), alias=alias)
    return [Tag.from_db(alias, names, row) for row in rows]


def images_with_renditions(*, ids=(), specs: tuple[str, ...] | None = None,
                           specs_by_id: dict[int, Any] | None = None) -> dict[int, Any]:
    """``{id: NewsImage}`` for the image ids in ``ids`` (None and repeats
    ignored; ids with no image are missing from the answer), each with all
    its renditions prefetched (``prefetched_renditions``, what Wagtail's
    ``prefetch_renditions()`` sets, so ``get_renditions`` runs no query for
    a rendition that exists) — or, given ``specs`` (rendition filter specs
    such as ``"width-480"``), only its renditions of those specs, for a
    page that shows no other; or, given ``specs_by_id`` (``{image id:
    specs}``, its keys added to ``ids``), only each image's renditions of
    its own specs (a lead image's sizes, a byline photo's...). Two queries
    (none for no ids), their SQL built once per process for each number of
    ids (and of specs, per group of images with the same specs)."""
    from django.db import router

    from .images import NewsImage, NewsRendition

    wanted = sorted({int(i) for i in (*ids, *(specs_by_id or ())) if i is not None})
    if not wanted:
        return {}
    alias = router.db_for_read(NewsImage)
    images = {image.pk: image for image in objects_cached(
        NewsImage, ("images", alias, len(wanted)),
        lambda *pks: NewsImage.objects.using(alias).filter(pk__in=list(pks)), *wanted, alias=alias)}
    if not images:
        return {}
    for image in images.values():
        image.prefetched_renditions = []
    if specs_by_id is not None:
        renditions = _renditions_by_specs(images, specs=specs, specs_by_id=specs_by_id, alias=alias)
    elif specs is None:
        renditions = objects_cached(
            NewsRendition, ("image_renditions", alias, len(images)),
            lambda *pks: NewsRendition.objects.using(alias).filter(image_id__in=list(pks)).order_by("pk"),
            *images, alias=alias)
    else:
        wanted_specs = sorted(set(specs))
        count = len(images)
        renditions = objects_cached(
            NewsRendition, ("image_renditions_of_specs", alias, count, len(wanted_specs)),
            lambda *values: NewsRendition.objects.using(alias).filter(
                image_id__in=list(values[:count]), filter_spec__in=list(values[count:])).order_by("pk"),
            *images, *wanted_specs, alias=alias)
    image_field = NewsRendition._meta.get_field("image")
    for rendition in renditions:
        image = images[rendition.image_id]
        image_field.set_cached_value(rendition, image)
        image.prefetched_renditions.append(rendition)
    return images


def _renditions_by_specs(images: dict, *, specs, specs_by_id: dict, alias: str) -> list:
    """The renditions of ``images`` (``{id: image}``), each image's of its
    specs in ``specs_by_id`` (with ``specs`` for all, when given), in one
    query: images with the same specs form a group, the groups joined by
    ``OR``."""
    from django.db.models import Q

    from .images import NewsRendition

    common = set(specs or ())
    groups: dict[tuple, list] = {}
    for pk in images:
        key = tuple(sorted(common.union(specs_by_id.get(pk) or ())))
        groups.setdefault(key, []).append(pk)
    groups.pop((), None)  # an image shown at no size: none of its renditions
    if not groups:
        return []
    ordered = sorted(groups.items())
    shape = tuple((len(pks), len(group_specs)) for group_specs, pks in ordered)
    values = [value for group_specs, pks in ordered for value in (*pks, *group_specs)]

    def build(*values):
        condition, pos = Q(), 0
        for count, spec_count in shape:
            condition |= Q(image_id__in=list(values[pos:pos + count]),
                           filter_spec__in=list(values[pos + count:pos + count + spec_count]))
            pos += count + spec_count
        return NewsRendition.objects.using(alias).filter(condition).order_by("pk")

    return objects_cached(NewsRendition, ("image_renditions_by_specs", alias, shape), build, *values, alias=alias)


def article_reading_minutes(*, article, cacheable: bool = True) -> int:
    """Reading time of the standfirst and body in whole minutes
    (:func:`nashr.arabic.reading_time_minutes`), cached per published
    revision: the text only changes with a new revision."""
    from django.core.cache import cache

    def compute() -> int:
        return reading_time_minutes(" ".join([article.standfirst, body_plain_text(article.body)]))

    if not cacheable or not article.pk:
        return compute()
    key = f"nashr:reading:{article.pk}:{article.live_revision_id or article.latest_revision_id}"
    return cache.get_or_set(key, compute, timeout=7 * 24 * 3600)


def articles_for_news_sitemap(*, now=None) -> QuerySet:
    """Articles first published in the last two days (Google News sitemap
    rule: only articles published in the last 2 days)."""
    now = now or timezone.now()
    return articles_live().filter(date_published__gte=now - timedelta(days=2))
