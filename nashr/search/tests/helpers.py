"""Builders for the search tests: articles with Arabic text in the real page tree."""

from __future__ import annotations

from nashr.search.query import query_parse
from nashr.search.selectors import articles_search


def add_article(section, *, title: str, standfirst: str = "", body_html: str = "", tags=()):
    from nashr.articles.models import ArticlePage

    body = [{"type": "paragraph", "value": body_html}] if body_html else []
    article = ArticlePage(title=title, standfirst=standfirst, body=body)
    section.add_child(instance=article)
    if tags:
        article.tags.add(*tags)
        article.save()
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def found_ids(text: str, *, sort: str = "relevance") -> list[int]:
    return [a.pk for a in articles_search(query=query_parse(text), sort=sort)[0:50]]
