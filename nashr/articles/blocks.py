"""StreamField blocks of an article body.

Images are fetched in one query per body, and all their renditions in one
more (:func:`nashr.articles.selectors.images_with_renditions`), so the
number of SQL queries an article page makes does not grow with the number of
photos in it; the article page reads them together with its lead image and
byline photos (:func:`body_images_read`).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


#: Images already read for the body being shown (``{id: image}``, see
#: :func:`body_images_read`), or None.
_IMAGES_READ: ContextVar[dict | None] = ContextVar("nashr_body_images_read", default=None)


@contextmanager
def body_images_read(images: dict):
    """Within this block, the body's image blocks take their images from
    ``images`` (``{id: NewsImage}``, renditions prefetched: what
    :func:`nashr.articles.selectors.images_with_renditions` returns for
    *every* image id stored in the body, with those of the rest of the
    page) instead of reading them: an id missing from it is an image that
    no longer exists (the block shows nothing, as when read)."""
    token = _IMAGES_READ.set(images)
    try:
        yield
    finally:
        _IMAGES_READ.reset(token)


def body_image_ids(body) -> list[int] | None:
    """The image ids stored in the image blocks of ``body`` (a StreamValue),
    from its raw data (nothing is read); None when one is not stored as a
    plain number (an import's text id: the ORM checks those)."""
    ids = []
    for block in body.raw_data:
        if block.get("type") == "image":
            value = block.get("value")
            image_id = value.get("image") if isinstance(value, dict) else None
            if image_id is None:
                continue
            if type(image_id) is not int:
                return None
            ids.append(image_id)
    return ids


class PrefetchingImageChooserBlock(ImageChooserBlock):
    def bulk_to_python(self, values):
        ids = [v for v in values if v is not None]
        read = _IMAGES_READ.get()
        if read is not None and all(type(v) is int for v in ids):
            return [read.get(v) if v is not None else None for v in values]
        if all(type(v) is int for v in ids):
            from .selectors import images_with_renditions

            objects = images_with_renditions(ids=ids)
        else:  # ids as stored by hand or an import: the ORM checks them
            objects = (
                get_image_model().objects.filter(pk__in=ids).prefetch_renditions().in_bulk()
                if ids
                else {}
            )
        return [objects.get(v) if v is not None else None for v in values]


class FigureBlock(blocks.StructBlock):
    image = PrefetchingImageChooserBlock(label="الصورة")
    caption = blocks.CharBlock(
        label="تعليق خاص بهذا المقال",
        required=False,
        help_text="اتركه فارغًا لاستعمال تعليق الصورة المحفوظ في مكتبة الصور.",
    )

    class Meta:
        icon = "image"
        label = "صورة"
        template = "articles/blocks/figure.html"


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label="الاقتباس")
    attribution = blocks.CharBlock(label="القائل", required=False)

    class Meta:
        icon = "openquote"
        label = "اقتباس بارز"
        template = "articles/blocks/pull_quote.html"


class BlockQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label="النص المقتبس")
    attribution = blocks.CharBlock(label="المصدر", required=False)

    class Meta:
        icon = "openquote"
        label = "نص مقتبس"
        template = "articles/blocks/block_quote.html"


class RelatedLinkBlock(blocks.StructBlock):
    """A plain "read also" link: a title and a URL, no HTML at all."""

    title = blocks.CharBlock(label="العنوان", max_length=200)
    url = blocks.URLBlock(label="الرابط")

    class Meta:
        icon = "link"
        label = "رابط ذو صلة"
        template = "articles/blocks/related_link.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES, label="فقرة", template="articles/blocks/paragraph.html"
    )
    subheading = blocks.CharBlock(
        label="عنوان فرعي", icon="title", template="articles/blocks/subheading.html"
    )
    image = FigureBlock()
    pull_quote = PullQuoteBlock()
    block_quote = BlockQuoteBlock()
    embed = EmbedBlock(label="تضمين (رابط oEmbed)", template="articles/blocks/embed.html")
    related_link = RelatedLinkBlock()


def body_plain_text(body) -> str:
    """The readable text of a body StreamValue, for reading time and
    descriptions: paragraph HTML, subheadings and quotes, in order."""
    from nashr.arabic import strip_html

    parts: list[str] = []
    for block in body:
        if block.block_type == "paragraph":
            parts.append(strip_html(block.value.source))
        elif block.block_type == "subheading":
            parts.append(str(block.value))
        elif block.block_type in ("pull_quote", "block_quote"):
            parts.append(str(block.value["quote"]))
    return "\n".join(parts)
