"""Article views outside the page tree: short links, tag and author pages,
the Google News sitemap."""

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from taggit.models import Tag

from . import selectors
from .models import ArticlePage, Author


@require_safe
def short_link(request, page_id: int):
    """``/p/<id>/`` → 301 to the article's canonical URL (404 if not live
    or if the number cannot be a database id: over 2^63 - 1)."""
    if page_id > 2**63 - 1:
        raise Http404("no such article")
    article = ArticlePage.objects.live().public().filter(pk=page_id).first()
    if article is None:
        raise Http404("no such article")
    return HttpResponsePermanentRedirect(article.get_url(request))


@require_safe
def tag_page(request, slug: str):
    tag = get_object_or_404(Tag, slug=slug)
    page_obj = selectors.paginate_or_404(request, selectors.articles_with_tag(slug=tag.slug))
    return render(
        request,
        "articles/tag_page.html",
        {"tag": tag, "page_obj": page_obj, "feed_url": f"/tag/{tag.slug}/feed/"},
    )


@require_safe
def author_page(request, slug: str):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    page_obj = selectors.paginate_or_404(request, selectors.articles_by_author(author=author))
    return render(
        request,
        "articles/author_page.html",
        {"author": author, "page_obj": page_obj, "feed_url": f"/author/{author.slug}/feed/"},
    )


@require_safe
def news_sitemap(request):
    """Google News sitemap (``news`` namespace 0.9) of the last two days."""
    articles = list(selectors.articles_for_news_sitemap()[:1000])
    return render(
        request,
        "articles/news_sitemap.xml",
        {"articles": articles, "site_name": settings.NASHR_SITE_NAME},
        content_type="application/xml; charset=utf-8",
    )
