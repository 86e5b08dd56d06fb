"""The HTML of article body blocks, built in Python.

An article body is a list of StreamField blocks (:mod:`.blocks`); each block
type's markup is made here, once, by one function per type. The block
templates (``articles/blocks/*.html``, used by ``{% include_block %}`` in
previews and on other pages) call these same functions, and the article page
calls them directly (``{% body_block %}``), because a template per block
costs several times more than the bytes it makes, on the most-read page.

Every function returns safe HTML: exactly what the block's template
renders, less the template file's final newline (which
:func:`body_block_html` adds, as ``{% include_block %}`` gives it); none
raises for a value its block accepts.
"""

from __future__ import annotations

from typing import Callable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from . import selectors
from .templatetags.nashr import ltr, ltr_html, picture, safe_richtext, safe_url

#: ``{% picture %}`` arguments of an image in the body.
FIGURE_SPECS = ",".join(selectors.FIGURE_SPECS)
FIGURE_SIZES = "(min-width: 760px) 720px, 100vw"


def paragraph_html(value) -> SafeString:
    """Rich text, sanitised and with its Latin runs isolated."""
    return ltr_html(safe_richtext(value))


def subheading_html(value) -> SafeString:
    return SafeString(f'<h2 class="subheading">{ltr(value)}</h2>')


def figcaption_html(*, image, caption) -> SafeString:
    """``articles/includes/figcaption.html``: the caption and the image's
    credit, or nothing when there is neither."""
    credit = image.credit
    if not (caption or credit):
        return SafeString("")
    out = ["<figcaption>"]
    if caption:
        out.append(f'<span class="caption">{ltr(caption)}</span>')
    if credit:
        out.append(f' <span class="credit"><span class="visually-hidden">حقوق الصورة: </span>{ltr(credit)}</span>')
    out.append("</figcaption>")
    return SafeString("".join(out))


def figure_html(value) -> SafeString:
    """An image of the body: the responsive picture, the article's own
    caption (else the image's) and the credit; nothing when the image is
    gone."""
    image = value.get("image")
    if not image:
        return SafeString("")
    caption = value.get("caption") or image.caption
    return SafeString(f'<figure class="figure">\n  {picture(image, FIGURE_SPECS, FIGURE_SIZES)}\n'
                     f"  {figcaption_html(image=image, caption=caption)}\n\n</figure>")


def pull_quote_html(value) -> SafeString:
    attribution = value.get("attribution")
    cite = f"<figcaption>— {ltr(attribution)}</figcaption>" if attribution else ""
    return SafeString(f'<figure class="pull-quote"><blockquote><p>{ltr(value.get("quote"))}</p></blockquote>'
                     f"{cite}</figure>")


def block_quote_html(value) -> SafeString:
    """A quoted passage: one paragraph per non-blank line."""
    quote = value.get("quote")
    lines = quote.splitlines() if isinstance(quote, str) else []
    paras = "".join(f"<p>{ltr(line)}</p>" for line in lines if line.strip())
    attribution = value.get("attribution")
    cite = f"<figcaption>{ltr(attribution)}</figcaption>" if attribution else ""
    return SafeString(f'<figure class="block-quote"><blockquote>{paras}</blockquote>{cite}</figure>')


def related_link_html(value) -> SafeString:
    """"Read also": the title, linked when the URL is safe
    (:func:`nashr.articles.sanitise.safe_url`)."""
    url = safe_url(value.get("url"))
    title = ltr(value.get("title"))
    link = f'<a href="{conditional_escape(url)}">{title}</a>' if url else title
    return SafeString(f'<aside class="related-link"><span class="related-link__label">اقرأ أيضًا:</span> '
                     f"{link}</aside>")


#: ``{block type: function(value) -> HTML}`` of :class:`.blocks.ArticleBodyBlock`.
RENDERERS: dict[str, Callable] = {
    "paragraph": paragraph_html,
    "subheading": subheading_html,
    "image": figure_html,
    "pull_quote": pull_quote_html,
    "block_quote": block_quote_html,
    "related_link": related_link_html,
}


def body_block_html(block, *, context=None) -> SafeString:
    """The HTML of one body block (a StreamField child: ``block_type`` and
    ``value``) — what ``{% include_block block %}`` renders. A block type
    without a function here (an embed) is rendered by its template with
    ``context`` (a template :class:`~django.template.Context`, or None)."""
    render = RENDERERS.get(block.block_type)
    if render is not None:
        return SafeString(f"{render(block.value)}\n")
    flat = context.flatten() if context is not None else None
    return block.render_as_block(context=flat)
