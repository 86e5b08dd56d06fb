"""Writes for articles, images and authors (keyword-only, called by models'
hooks, signals, the demo loader and importers)."""

from __future__ import annotations

import logging

from nashr.arabic import slugify, unique_slug

from .images import NewsImage
from .photo_metadata import read_photo_metadata

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = 80


def page_slug_normalise(*, page) -> None:
    """Normalise ``page.slug`` in place (from the title when empty).

    The slug becomes a readable Unicode slug (:func:`nashr.arabic.slugify`:
    NFC, harakat and tatweel stripped, never empty). For a page not yet saved
    whose parent is known, it is made unique among its siblings by appending
    ``-2``, ``-3``... as WordPress does; an existing page keeps its slug and
    Wagtail's own uniqueness check reports a clash to the editor.
    """
    source = page.slug or page.title or ""
    if not source:
        return
    slug = slugify(source, max_length=SLUG_MAX_LENGTH)
    parent = getattr(page, "_cached_parent_obj", None)
    if page.pk is None and parent is None and page.path:
        parent = page.get_parent()
    if page.pk is None and parent is not None:
        # one indexed lookup per candidate, not every sibling's slug: a
        # section with thousands of articles (an import) stays fast
        siblings = parent.get_children()
        slug = unique_slug(slug, lambda s: siblings.filter(slug=s).exists(), max_length=SLUG_MAX_LENGTH)
    page.slug = slug


def author_slug(*, author) -> str:
    """A unique slug for an :class:`~nashr.articles.models.Author` from its name."""
    from .models import Author

    base = slugify(author.name or "", max_length=60, fallback="author")
    taken = set(
        Author.objects.filter(slug__startswith=base).exclude(pk=author.pk).values_list("slug", flat=True)
    )
    return unique_slug(base, taken, max_length=80)


def image_prefill_from_metadata(*, image: NewsImage) -> None:
    """Fill an image's empty caption and credit fields from the IPTC/XMP
    metadata of its JPEG file (see :mod:`.photo_metadata`).

    Never overwrites what an editor typed. The IPTC "Credit" field names the
    provider (usually the agency), "Source" the owner/distributor.
    """
    if not image.file:
        return
    try:
        image.file.open("rb")
        meta = read_photo_metadata(image.file)
    except (OSError, ValueError):
        logger.info("no metadata read from %s", image.file.name, exc_info=True)
        return
    if not image.caption and meta.caption:
        image.caption = meta.caption
    if not image.credit_photographer and meta.creator:
        image.credit_photographer = meta.creator
    if not image.credit_agency and meta.credit_line:
        image.credit_agency = meta.credit_line
    if not image.credit_distributor and meta.source and meta.source != meta.credit_line:
        image.credit_distributor = meta.source


#: EXIF tag of the GPS IFD (EXIF 2.32, "GPSInfo")
EXIF_GPS_IFD = 0x8825


def image_strip_location(*, image: NewsImage) -> bool:
    """Remove the GPS block from a new upload's EXIF before it is stored, so
    neither the original nor any rendition tells readers where the
    photographer stood. Other EXIF (orientation, camera, copyright) is kept;
    a JPEG is re-saved with its own quantisation tables (``quality="keep"``),
    so the picture is not visibly recompressed. Returns whether it changed
    the file; a file Pillow cannot read is left to Wagtail's own validation.
    """
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    if not image.file:
        return False
    try:
        image.file.open("rb")
        image.file.seek(0)
        data = image.file.read()
        with Image.open(io.BytesIO(data)) as im:
            exif = im.getexif()
            if EXIF_GPS_IFD not in exif:
                return False
            del exif[EXIF_GPS_IFD]
            out = io.BytesIO()
            kwargs = {"exif": exif.tobytes()}
            if im.info.get("icc_profile"):
                kwargs["icc_profile"] = im.info["icc_profile"]
            if im.format == "JPEG":
                kwargs.update(quality="keep", subsampling="keep")
            elif im.format not in ("PNG", "WEBP", "TIFF"):
                return False
            im.save(out, im.format, **kwargs)
    except Exception:
        logger.info("could not strip location from %s", image.file.name, exc_info=True)
        image.file.seek(0)
        return False
    name = image.file.name.rsplit("/", 1)[-1]
    image.file = ContentFile(out.getvalue(), name=name)
    return True


def tag_slug(*, name: str, pk: int | None = None) -> str:
    """A non-empty unique slug for a tag: :func:`nashr.arabic.slugify` of the
    name, ``tag`` (``tag-2``...) when nothing readable is left."""
    from taggit.models import Tag

    base = slugify(name or "", max_length=90, fallback="tag")
    taken = set(Tag.objects.filter(slug__startswith=base).exclude(pk=pk).values_list("slug", flat=True))
    return unique_slug(base, taken, max_length=100)
