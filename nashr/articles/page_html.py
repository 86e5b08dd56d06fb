"""The HTML of the article page's own parts, built in Python.

``articles/article_page.html`` keeps the page's layout and calls these for
its three parts that are on every article page and made only of values
already in the page context (:func:`nashr.articles.selectors.
article_page_context`): the head's meta tags and JSON-LD
(:func:`article_head_html`), the article header, lead image and body
(:func:`article_top_html`) and the article footer (:func:`article_footer_html`).
A template costs several times more than the bytes it makes, and the article
page is the most-read page; its markup lives here, once.

Each function takes the page's template :class:`~django.template.Context`,
as the article page builds it (the selector above and the site context
processor), and returns safe HTML: what the template markup it replaces
rendered, escaping included (a value is escaped unless safe, ``None``
prints ``None``), byte for byte (``tests/test_page_html.py`` renders that
markup beside them). None raises for such a context.
"""

from __future__ import annotations

import datetime
import html

from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from . import selectors
from .templatetags.nashr import (
    ar_date, ar_datetime, bidi_clean, figcaption, hijri_date, ltr, picture, reading_time, section_url,
)

#: ``{% picture %}`` arguments of the lead image and of a byline photo.
LEAD_SPECS = ",".join(selectors.LEAD_SPECS)
LEAD_SIZES = "(min-width: 1200px) 1100px, 100vw"
AUTHOR_PHOTO_SPECS = ",".join(selectors.AUTHOR_PHOTO_SPECS)


def text_html(value) -> str:
    """``{{ value }}``: escaped unless safe; ``None`` as ``None``. A plain
    ``str`` is escaped as Django's ``escape`` does (``html.escape``), without
    its lazy-string checks."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


_e = text_html


def iso_datetime(value) -> str:
    """``{{ value|date:'c' }}``: ISO 8601 in the site's time zone, ``""``
    for no date, escaped. For a ``datetime`` that is what the filter's
    ``c`` format gives (``isoformat()`` of the local time), without its
    format parsing; anything else goes through the filter."""
    if type(value) is datetime.datetime:
        return template_localtime(value).isoformat()
    return conditional_escape(date_filter(template_localtime(value), "c"))


_iso = iso_datetime


def _comments_feed_url(page_id) -> str:
    from .page_urls import route_url

    return route_url("comments:article_feed", page_id)


def article_head_html(context) -> SafeString:
    """Canonical and short links, OpenGraph and Twitter tags, the comment
    feed link and the JSON-LD of the article in ``context`` (``page``,
    ``canonical_url``, ``meta_description``, ``og_image``, ``og_image_url``,
    ``lead_image``, ``section``, ``tags``, ``json_ld``, ``site_url``,
    ``site_name``)."""
    page = context.get("page")
    canonical = _e(context.get("canonical_url"))
    site_url = _e(context.get("site_url", ""))
    description = _e(context.get("meta_description", ""))
    title = _e(bidi_clean(page.title))
    og_image = context.get("og_image")
    out = [
        f'<link rel="canonical" href="{canonical}">\n'
        f'<link rel="shortlink" href="{site_url}/p/{_e(page.pk)}/">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:site_name" content="{_e(context.get("site_name", ""))}">\n'
        '<meta property="og:locale" content="ar_AR">\n'
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="og:description" content="{description}">\n'
        f'<meta property="og:url" content="{canonical}">\n'
    ]
    image_alt = ""
    if og_image:
        image_alt = _e(context.get("lead_image").alt_text)
        out.append(f'<meta property="og:image" content="{_e(context.get("og_image_url"))}">\n'
                   f'<meta property="og:image:width" content="{_e(og_image.width)}">\n'
                   f'<meta property="og:image:height" content="{_e(og_image.height)}">\n'
                   f'<meta property="og:image:alt" content="{image_alt}">')
    out.append(f'\n<meta property="article:published_time" content="{_iso(page.published)}">\n')
    if page.date_updated:
        out.append(f'<meta property="article:modified_time" content="{_iso(page.date_updated)}">')
    section = context.get("section")
    out.append(f'\n<meta property="article:section" content="{_e(section.title) if section is not None else ""}">\n')
    for tag in context.get("tags") or ():
        out.append(f'<meta property="article:tag" content="{_e(tag.name)}">\n')
    out.append(f'<meta name="twitter:card" content="{"summary_large_image" if og_image else "summary"}">\n'
               f'<meta name="twitter:title" content="{title}">\n'
               f'<meta name="twitter:description" content="{description}">\n')
    if og_image:
        out.append(f'<meta name="twitter:image" content="{_e(context.get("og_image_url"))}">\n'
                   f'<meta name="twitter:image:alt" content="{image_alt}">')
    out.append("\n")
    if page.pk:
        out.append(f'<link rel="alternate" type="application/rss+xml" title="تعليقات: {title}" '
                   f'href="{site_url}{_e(_comments_feed_url(page.pk))}">')
    out.append(f'\n<script type="application/ld+json">{context.get("json_ld")}</script>')
    return SafeString("".join(out))


def _byline(authors) -> str:
    """``بقلم`` and the authors' linked names: ``أ``، ``ب و ج``."""
    last = len(authors) - 1
    out = ['<p class="byline">بقلم\n        ']
    for i, author in enumerate(authors):
        out.append(f'<a href="{_e(author.get_absolute_url())}" rel="author">{ltr(author.name)}</a>')
        if i < last:
            out.append(" و" if i == last - 1 else "، ")
    out.append("</p>")
    return "".join(out)


def article_top_html(context) -> SafeString:
    """The article header (section, headline, standfirst, byline, dates,
    reading time), the lead image with its caption and credit, and the body
    blocks the reader may see (``body_blocks``, then ``gated_blocks`` marked
    as the members-only part) of the article in ``context``."""
    from .body_html import body_block_html

    page = context.get("page")
    request = context.get("request")
    section = context.get("section")
    section_href = section_url(section, request=request) or str(section.get_url(request=request))
    out = ['<header class="article__header wrap wrap--text">\n'
           f'    <a class="kicker" href="{_e(section_href)}">{_e(section.title)}</a>\n'
           f'    <h1 class="article__title">{ltr(page.title)}</h1>\n    ']
    if page.standfirst:
        out.append(f'<p class="article__standfirst">{ltr(page.standfirst)}</p>')
    out.append('\n    <div class="article__meta">\n      ')
    authors = context.get("authors")
    if authors:
        out.append(_byline(authors))
    published = page.published
    hijri = hijri_date(published)
    hijri = f' <span class="hijri">({_e(hijri)})</span>' if hijri else ""
    out.append('\n      <p class="dateline">\n'
               f'        <span>نُشر في <time datetime="{_iso(published)}">{_e(ar_date(published))}</time>'
               f'{hijri}</span>\n        ')
    if page.date_updated:
        out.append(f'<span>· آخر تحديث <time datetime="{_iso(page.date_updated)}">'
                   f'{_e(ar_datetime(page.date_updated))}</time></span>')
    out.append('\n        <span>· <span class="reading-time">مدة القراءة: '
               f'{_e(reading_time(context.get("reading_minutes")))}</span></span>\n'
               '      </p>\n    </div>\n  </header>\n  ')
    lead_image = context.get("lead_image")
    if lead_image:
        out.append('\n  <figure class="lead-figure wrap wrap--wide">\n    '
                   f'{picture(lead_image, LEAD_SPECS, LEAD_SIZES, css_class="lead-figure__img", eager=True)}\n'
                   f'    {figcaption(lead_image, lead_image.caption)}\n\n  </figure>\n  ')
    out.append('\n  <div class="article__body wrap wrap--text">\n    ')
    for block in context.get("body_blocks") or ():
        out.append(body_block_html(block, context=context))
    out.append("\n    ")
    gated = context.get("gated_blocks")
    if gated:
        out.append('<div class="article__gated">')
        for block in gated:
            out.append(body_block_html(block, context=context))
        out.append("</div>")
    out.append("\n  </div>")
    return SafeString("".join(out))


def _source_note(page) -> str:
    """Where the article was first published, its translator and licence."""
    if not (page.source_publisher or page.source_url or page.source_translator or page.source_licence):
        return ""
    out = ['\n    <aside class="source-note" aria-label="مصدر المادة">\n      ']
    if page.source_publisher:
        name = ltr(page.source_publisher)
        if page.source_url:
            name = f'<a href="{_e(page.source_url)}" rel="noopener">{name}</a>'
        out.append(f"<p>نُشرت هذه المادة أولًا لدى {name}.</p>")
    elif page.source_url:
        url = _e(page.source_url)
        out.append(f'<p>المصدر: <a href="{url}" rel="noopener">{url}</a></p>')
    out.append("\n      ")
    if page.source_translator:
        out.append(f"<p>ترجمة: {_e(page.source_translator)}</p>")
    out.append("\n      ")
    if page.source_licence:
        out.append(f"<p>{ltr(page.source_licence)}</p>")
    out.append("\n    </aside>\n    ")
    return "".join(out)


def _subscribe_box(context) -> str:
    """``{% include "newsletter/includes/subscribe_box.html" with
    box_id="article" %}`` (the template stays the box's one source; its HTML
    is kept per process, :func:`nashr.newsletter.templatetags.
    nashr_newsletter.subscribe_box_html`)."""
    from nashr.newsletter.templatetags.nashr_newsletter import subscribe_box_html

    return subscribe_box_html(context, box_id="article")


def article_footer_html(context) -> SafeString:
    """The article footer: source note, tags, share links, the subscribe box
    (not under a gate, which has its own invitation) and the author boxes
    of the article in ``context`` (``page``, ``tags``, ``share_url``,
    ``share_title``, ``access``, ``authors``)."""
    page = context.get("page")
    out = ['<footer class="article__footer wrap wrap--text">\n    ', _source_note(page), "\n    "]
    tags = context.get("tags")
    if tags:
        out.append('<ul class="tags" aria-label="الوسوم">')
        for tag in tags:
            out.append(f'<li><a href="/tag/{_e(tag.slug)}/" rel="tag">{ltr(tag.name)}</a></li>')
        out.append("</ul>")
    url = _e(context.get("share_url"))
    title = _e(context.get("share_title"))
    out.append('\n    <div class="share" aria-label="شارك المقال">\n'
               '      <span class="share__label">شارك:</span>\n'
               f'      <a href="https://x.com/intent/post?url={url}&amp;text={title}" rel="noopener nofollow" '
               'target="_blank">X</a>\n'
               f'      <a href="https://www.facebook.com/sharer/sharer.php?u={url}" rel="noopener nofollow" '
               'target="_blank">فيسبوك</a>\n'
               f'      <a href="https://wa.me/?text={title}%20{url}" rel="noopener nofollow" target="_blank">'
               'واتساب</a>\n'
               f'      <a href="https://t.me/share/url?url={url}&amp;text={title}" rel="noopener nofollow" '
               'target="_blank">تيليغرام</a>\n'
               f'      <a href="mailto:?subject={title}&amp;body={url}">بريد</a>\n'
               '    </div>\n    ')
    access = context.get("access")
    if not getattr(access, "teaser", False):
        out.append(_subscribe_box(context))
    out.append("\n    ")
    authors = context.get("authors")
    if authors:
        out.append('<section class="author-boxes" aria-label="عن الكاتب">\n      ')
        for author in authors:
            out.append('<div class="author-box">\n        ')
            if author.photo:
                out.append(picture(author.photo, AUTHOR_PHOTO_SPECS, "96px", css_class="author-box__photo", alt=""))
            bio = f"<p>{ltr(author.bio)}</p>" if author.bio else ""
            out.append(f'\n        <div><p class="author-box__name"><a href="{_e(author.get_absolute_url())}">'
                       f"{ltr(author.name)}</a></p>{bio}</div>\n      </div>")
        out.append("\n    </section>")
    out.append("\n  </footer>")
    return SafeString("".join(out))
