"""Template tags of the search app."""

from __future__ import annotations

from django import template

register = template.Library()


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
    handed = getattr(request, "_nashr_related", None)
    if handed is not None and handed[0] == article.pk:  # read already by related_block
        return handed[1]
    items = articles_related(article_id=article.pk)
    if items:
        attach_sections(items, {s.path: s for s in sections_for_request(request)})
    return items


def _render_with(template, context, *, article, items):
    """Render ``related.html`` handing it the list just read (its own
    ``related_articles`` tag then reads nothing)."""
    request = context.get("request")
    if request is not None:
        request._nashr_related = (article.pk, items)
    try:
        with context.push(page=article):
            return template.render(context)
    finally:
        if request is not None:
            del request._nashr_related


@register.simple_tag(takes_context=True)
def related_block(context, article) -> str:
    """``search/includes/related.html`` for ``article``: the related list is
    read on every request (one query, so a change shows at once), and its
    HTML kept in the fragment cache (``caches["fragments"]``,
    ``NASHR_FRAGMENT_CACHE_SECONDS``) under a key made of everything the
    cards show (title, standfirst, URL, date, card image, section) and the
    settings. Previews render it without the cache."""
    from django.core.cache import caches
    from django.utils.safestring import mark_safe

    from nashr.articles.fragments import CACHE_ALIAS, fragment_digest, fragment_cache_seconds

    template = context.template.engine.get_template("search/includes/related.html")
    items = related_articles(context, article)
    request = context.get("request")
    if not items or fragment_cache_seconds() <= 0 or request is None or getattr(request, "is_preview", False):
        return _render_with(template, context, article=article, items=items)
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
        html = str(_render_with(template, context, article=article, items=items))
        cache.set(key, html, fragment_cache_seconds())
    return mark_safe(html)
