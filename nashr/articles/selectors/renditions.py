"""Images with their renditions prefetched, in a fixed number of queries,
and the rendition specs pages show."""

from __future__ import annotations

from typing import Any

from .cached_rows import objects_cached


#: Rendition specs used on pages, prefetched together (one query per image set).
CARD_SPECS = ("fill-320x180", "fill-640x360", "fill-960x540")
LEAD_SPECS = ("width-480", "width-800", "width-1200", "width-1600")
OG_SPEC = "fill-1200x630"
AUTHOR_PHOTO_SPECS = ("fill-96x96", "fill-192x192")
#: Body images' specs (``nashr.articles.body_html.FIGURE_SPECS``).
FIGURE_SPECS = ("width-480", "width-800", "width-1200")


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

    from ..images import NewsImage, NewsRendition

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

    from ..images import NewsRendition

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
