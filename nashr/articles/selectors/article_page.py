"""The article page: the article at a URL, its view restrictions, and
everything its template shows (byline, tags, lead image, body, reading
time, meta description, JSON-LD, absolute URLs)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from nashr.arabic import reading_time_minutes

from ..blocks import body_plain_text
from .cached_rows import _rows, objects_cached, queryset_sql_cached
from .listings import sections_for_request
from .renditions import AUTHOR_PHOTO_SPECS, FIGURE_SPECS, LEAD_SPECS, OG_SPEC, images_with_renditions


def article_for_path(*, home, path_components) -> Any:
    """The live article at ``/<section-slug>/<article-slug>/`` under
    ``home``, in one query (slug index, then the stored ``url_path``), or
    None when the path has another shape or no live article is there."""
    from ..models import ArticlePage

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
    from ..page_urls import page_url_parts

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
        from ..images import rendition_url

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

    from ..fragments import article_fragments

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

    from ..images import NewsImage
    from ..models import Author

    body_images = None
    if article.pk and not getattr(article, "_cluster_related_objects", None):
        # A page as stored (not a preview with its byline and tags in
        # memory): its rows read with SQL built once per process, and the
        # lead image, byline photos and body images in one read.
        from ..blocks import body_image_ids

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
        from ..images import rendition_filters

        renditions = lead_image.get_renditions(*rendition_filters(",".join((*LEAD_SPECS, OG_SPEC))))
    og_image = renditions.get(OG_SPEC)
    og_image_url = ""
    if og_image:
        from ..images import rendition_url

        og_image_url = absolute(rendition_url(og_image))
    if body_images is not None:
        from ..blocks import body_images_read

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


def article_authors(*, article_id: int) -> list:
    """The byline of stored article ``article_id``: its
    :class:`~nashr.articles.models.Author` objects in byline order
    (``sort_order``), in one query. Each author's ``photo`` is not loaded
    (``photo_id`` is set)."""
    from django.db import router

    from ..models import ArticleAuthor, Author

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
