from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from nashr.articles.selectors import paginate_or_404, sections_for_request

from .filters import PERIODS, search_filters_parse
from .query import MAX_QUERY_CHARS, query_parse
from .selectors import SORTS, articles_search
from .snippets import article_snippet, highlight


@require_safe
def search(request):
    """``/search/?q=…[&sort=newest][&page=N][&section=ID][&period=week|month|year]
    [&from=YYYY-MM-DD][&to=YYYY-MM-DD]``: live, public articles matching the
    query, narrowed by the filters (:mod:`.filters`); a bad page number is a
    404, a bad filter is explained and dropped."""
    text = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_CHARS]
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    sections = sections_for_request(request)
    filter_form = search_filters_parse(params=request.GET, sections=sections)
    context = {"query": text, "sort": sort, "max_query_chars": MAX_QUERY_CHARS, "page_obj": None,
               "filter_form": filter_form, "sections": sections, "periods": PERIODS}
    if text:
        parsed = query_parse(text)
        page_obj = paginate_or_404(
            request, articles_search(query=parsed, sort=sort, filters=filter_form.filters)
        )
        keys = parsed.keys
        for article in page_obj.object_list:
            article.search_title = highlight(article.title, keys)
            article.search_snippet = article_snippet(article=article, keys=keys)
        context["page_obj"] = page_obj
    return render(request, "search/results.html", context)
