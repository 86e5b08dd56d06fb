"""StreamField blocks of an article body.

Images are fetched in one query per body, and all their renditions in one
more (:func:`nashr.articles.selectors.images_with_renditions`), so the
number of SQL queries an article page makes does not grow with the number of
photos in it.
"""

from __future__ import annotations

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class PrefetchingImageChooserBlock(ImageChooserBlock):
    def bulk_to_python(self, values):
        ids = [v for v in values if v is not None]
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
