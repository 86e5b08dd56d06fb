"""Attachments of an export → images: the file, alt text, caption and credit.

The file comes from the site's ``wp-content/uploads`` folder (``--uploads``)
or over HTTP (``--fetch-media``, :mod:`.media`: timeouts, a size limit);
the credit from a "name | agency" at the end of the caption, else from the
serialized PHP ``_wp_attachment_metadata`` (:mod:`.php`, never instantiating
objects): its ``credit`` and ``copyright``.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from nashr.arabic import strip_html

from . import mapping
from .media import MediaError, image_check, media_fetch, media_from_uploads
from .php import PhpUnserializeError, looks_serialized, php_unserialize
from .reader import WxrItem

#: stands for a photo a dry run checked but did not store
DRY_RUN_IMAGE = -1


def attachment_import(importer, item: WxrItem) -> str:
    """Import one attachment as a :class:`~nashr.articles.images.NewsImage`
    (its file from ``--uploads`` or fetched with ``--fetch-media``; alt text,
    caption and credit from the export and its serialized PHP metadata), or
    update the one imported before when they changed. Returns
    ``"imported"``, ``"updated"`` or ``"unchanged"``; raises
    :class:`~.media.MediaError` when the file cannot be had (the importer's
    guard reports it with the item's id and line)."""
    from nashr.articles.images import NewsImage

    from .content import caption_split_credit

    url = item.attachment_url or item.guid
    alt = (item.meta.get("_wp_attachment_image_alt") or "").strip()
    caption, photographer, agency = caption_split_credit(strip_html(item.excerpt).strip())
    meta_raw = item.meta.get("_wp_attachment_metadata", "")
    if meta_raw and looks_serialized(meta_raw):
        try:
            meta = php_unserialize(meta_raw)
        except PhpUnserializeError as exc:
            importer.report.warn("attachment", item.post_id, item.line, f"بيانات الصورة (PHP) غير مقروءة: {exc}")
            meta = {}
        image_meta = meta.get("image_meta") if isinstance(meta, dict) else None
        if isinstance(image_meta, dict):
            photographer = photographer or str(image_meta.get("credit") or "").strip()
            copyright_ = str(image_meta.get("copyright") or "").strip().lstrip("©").strip()
            agency = agency or copyright_
            caption = caption or str(image_meta.get("caption") or "").strip()
    title = (item.title or mapping.uploads_relative_path(url).rsplit("/", 1)[-1] or f"صورة {item.post_id}")[:255]
    alt_missing = not alt
    alt = alt or title or caption
    values = {"title": title, "alt": alt[:1000], "caption": caption, "photographer": photographer[:255],
              "agency": agency[:255], "url": url}
    fp = mapping.fingerprint(values)
    row = importer._row("attachment", item.post_id, item.guid, check=False)
    image = importer.target(row, NewsImage)
    if image is None:
        row = None
    else:
        _image_known(importer, item, url, image.pk)
        if row.fingerprint == fp:
            return "unchanged"
    if image is None:
        data = _media_bytes(importer, item, url)
        ext = image_check(data)
        if importer.dry_run:
            importer.images[item.post_id] = DRY_RUN_IMAGE
            importer.image_keys[mapping.media_key(url)] = DRY_RUN_IMAGE
            return "imported"
        name = (mapping.uploads_relative_path(url).rsplit("/", 1)[-1] or f"wp-{item.post_id}").rsplit(".", 1)[0]
        image = NewsImage(file=ContentFile(data, name=f"{name[:80]}.{ext}"))
    image.title, image.description, image.caption = title, alt[:1000], caption
    image.credit_photographer, image.credit_agency = photographer[:255], agency[:255]
    created = image.pk is None
    image.save()
    if alt_missing:
        importer.report.warn("attachment", item.post_id, item.line,
                         "لا نص بديلًا للصورة في ووردبريس؛ استُعمل العنوان أو التعليق")
    _image_known(importer, item, url, image.pk)
    importer._remember(row, kind="attachment", wp_id=item.post_id, obj=image, fp=fp, guid=item.guid)
    return "imported" if created else "updated"

def _image_known(importer, item: WxrItem, url: str, pk: int) -> None:
    """Remember image ``pk`` under the attachment's id and its file's key
    (how posts refer to it)."""
    importer.images[item.post_id] = pk
    key = mapping.media_key(url)
    if key:
        importer.image_keys[key] = pk

def _media_bytes(importer, item: WxrItem, url: str) -> bytes:
    """The attachment's file: from ``--uploads``, else (or when missing
    there) fetched with ``--fetch-media``; raises :class:`~.media.MediaError`."""
    if importer.uploads is not None:
        try:
            return media_from_uploads(uploads=importer.uploads, url=url)
        except MediaError:
            if not importer.fetch_media:
                raise
    if importer.fetch_media:
        return media_fetch(url=url)
    raise MediaError("لا مصدر لملفات الصور: استعمل --uploads أو --fetch-media")
