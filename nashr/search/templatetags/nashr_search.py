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
    items = articles_related(article_id=article.pk)
    if items:
        request = context.get("request")
        attach_sections(items, {s.path: s for s in sections_for_request(request)})
    return items
