"""Template tags of the search app."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def result_count(n) -> str:
    """The number of search results with its noun in the right form:
    «نتيجة واحدة», «نتيجتان», «3 نتائج», «11 نتيجة», «100 نتيجة» (CLDR plural
    categories, :func:`nashr.arabic.counting.count_phrase`), digits as
    ``NASHR_DIGITS`` says. ``n``: a whole number >= 0."""
    from django.conf import settings

    from nashr.arabic.counting import count_phrase

    return count_phrase(int(n), one="نتيجة واحدة", two="نتيجتان", few="{n} نتائج", many="{n} نتيجة",
                        digits=settings.NASHR_DIGITS)


@register.simple_tag(takes_context=True)
def related_articles(context, article) -> list:
    """The related articles of ``article`` for its page (one query; see
    :func:`nashr.search.selectors.articles_related`), each with
    ``.section`` set from the request's section list (no query on the
    article page, which has loaded it already). ``[]`` for a page that is
    not saved yet (an admin preview of a new article)."""
    from nashr.articles.selectors import attach_sections, sections_for_request

    from ..selectors import articles_related

    if article is None or not getattr(article, "pk", None):
        return []
    request = context.get("request")
    items = articles_related(article_id=article.pk)
    if items:
        attach_sections(items, {s.path: s for s in sections_for_request(request)})
    return items


def related_list_html(items, *, request) -> SafeString:
    """The related-articles section for ``items`` (what
    :func:`related_articles` returns: article cards — or articles — with
    ``card_image`` — a dict with ``url``, ``width`` and ``height``, or
    None —, ``published``, and ``section`` or None), as safe HTML; ``""``
    for no items. Links are ``{% pageurl %}``'s (relative on a one-site install). Built in Python
    rather than a template: it is on every article page, and a template
    costs several times more for the same bytes."""
    from nashr.articles.page_html import iso_datetime, text_html
    from nashr.articles.page_urls import page_url
    from nashr.articles.templatetags.nashr import ar_date, ltr, section_url

    if not items:
        return mark_safe("")
    out = ['\n<section class="related wrap wrap--wide" aria-labelledby="related-heading">\n'
           '  <h2 id="related-heading" class="related__heading">مقالات ذات صلة</h2>\n'
           '  <ul class="related__list">\n    ']
    for item in items:
        url = text_html(page_url(item, request=request))
        out.append('<li class="related__item">\n      <article class="related-card">\n        ')
        image = item.card_image
        if image:
            out.append(f'<a class="related-card__media" href="{url}" tabindex="-1" aria-hidden="true">'
                       f'<img src="{text_html(image["url"])}" width="{text_html(image["width"])}" '
                       f'height="{text_html(image["height"])}" alt="" loading="lazy" decoding="async"></a>')
        out.append('\n        <div class="related-card__body">\n          ')
        section = getattr(item, "section", None)
        if section:
            # the URL kept per section (the sections are the request's list)
            section_href = section_url(section, request=request) or section.get_url(request=request)
            out.append(f'<a class="kicker" href="{text_html(section_href)}">'
                       f'{text_html(section.title)}</a>')
        out.append(f'\n          <h3 class="related-card__title"><a href="{url}">{ltr(item.title)}</a></h3>'
                   "\n          ")
        if item.standfirst:
            out.append(f'<p class="related-card__standfirst">{ltr(item.standfirst)}</p>')
        published = item.published
        out.append(f'\n          <p class="related-card__meta"><time datetime="'
                   f'{iso_datetime(published)}">'
                   f'{text_html(ar_date(published))}</time></p>\n'
                   '        </div>\n      </article>\n    </li>')
    out.append("\n  </ul>\n</section>")
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def related_list(context, article) -> SafeString:
    """``{% related_list page %}``: :func:`related_list_html` of
    :func:`related_articles`."""
    return related_list_html(related_articles(context, article), request=context.get("request"))


def _related_section(*, items, request) -> str:
    """What ``search/includes/related.html`` renders for ``items``."""
    return mark_safe(f"\n{related_list_html(items, request=request)}\n")


@register.simple_tag(takes_context=True)
def related_block(context, article) -> str:
    """The related-articles section of ``article`` (what
    ``search/includes/related.html`` renders, :func:`related_list_html`
    built straight from Python): the related list is
    read on every request (one query, so a change shows at once), and its
    HTML kept in the fragment cache (``caches["fragments"]``,
    ``NASHR_FRAGMENT_CACHE_SECONDS``) under a key made of everything the
    cards show (title, standfirst, URL, date, card image, section) and the
    settings. Previews render it without the cache."""
    from django.core.cache import caches

    from nashr.articles.fragments import CACHE_ALIAS, fragment_digest, fragment_cache_seconds

    items = related_articles(context, article)
    request = context.get("request")
    if not items or fragment_cache_seconds() <= 0 or request is None or getattr(request, "is_preview", False):
        return _related_section(items=items, request=request)
    parts = [str(article.pk)]
    for item in items:
        section = getattr(item, "section", None)
        parts.append(repr((item.pk, item.title, item.standfirst, item.url_path, item.published,
                           item.card_image, getattr(section, "pk", None), getattr(section, "title", None),
                           getattr(section, "url_path", None))))
    site = getattr(request, "_wagtail_site", None)
    parts.append(str(getattr(site, "pk", None)))
    key = f"nashr:frag:related:{article.pk}:{fragment_digest(parts)}"
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        html = str(_related_section(items=items, request=request))
        cache.set(key, html, fragment_cache_seconds())
    return mark_safe(html)
