from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from nashr.articles.selectors import paginate_or_404

from .query import MAX_QUERY_CHARS, query_parse
from .selectors import SORTS, articles_search
from .snippets import article_snippet, highlight


@require_safe
def search(request):
    """``/search/?q=…[&sort=newest][&page=N]``: live, public articles
    matching the query; a bad page number is a 404."""
    text = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_CHARS]
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    context = {"query": text, "sort": sort, "max_query_chars": MAX_QUERY_CHARS, "page_obj": None}
    if text:
        parsed = query_parse(text)
        page_obj = paginate_or_404(request, articles_search(query=parsed, sort=sort))
        keys = parsed.keys
        for article in page_obj.object_list:
            article.search_title = highlight(article.title, keys)
            article.search_snippet = article_snippet(article=article, keys=keys)
        context["page_obj"] = page_obj
    return render(request, "search/results.html", context)
