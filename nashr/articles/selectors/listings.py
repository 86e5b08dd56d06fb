"""Lists of articles and sections for the home, section, tag and author
pages, feeds and sitemaps; the per-process cache of the live sections."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone


def articles_live() -> QuerySet:
    """Live, public articles, newest first, with lead images and their
    renditions prefetched (two queries in all when iterated)."""
    from ..images import NewsImage
    from ..models import ArticlePage

    return (
        ArticlePage.objects.live()
        .public()
        .select_related("lead_image")
        .prefetch_related(
            Prefetch("lead_image__renditions"),
        )
        .order_by("-date_published", "-pk")
    )


def sections_live() -> QuerySet:
    from ..models import SectionPage

    return SectionPage.objects.live().public().order_by("path")


#: per-process cache of the live sections: (expires_at, [SectionPage])
_SECTIONS_CACHE: dict[str, tuple[float, list]] = {}
SECTIONS_TTL_S = 30.0


def sections_cache_clear(**kwargs) -> None:
    """Forget the cached section list (connected to publish, unpublish and
    delete of pages; other processes refresh within SECTIONS_TTL_S)."""
    _SECTIONS_CACHE.clear()


def sections_for_request(request) -> list:
    """The live sections for navigation, footer and an article's own
    section: one list per request, itself cached per process for
    :data:`SECTIONS_TTL_S` seconds (sections change rarely)."""
    import time

    if request is None:
        return list(sections_live())
    cached = getattr(request, "_nashr_sections", None)
    if cached is None:
        now = time.monotonic()
        hit = _SECTIONS_CACHE.get("sections")
        if hit is None or hit[0] < now:
            hit = _SECTIONS_CACHE["sections"] = (now + SECTIONS_TTL_S, list(sections_live()))
        cached = request._nashr_sections = hit[1]
    return cached


def section_map() -> dict[str, Any]:
    """``{section.path: section}`` so a card's section is found from the
    article's tree path without a query per card."""
    return {s.path: s for s in sections_live()}


def attach_sections(articles, sections: dict[str, Any] | None = None):
    """Set ``article.section`` for each article from the page-tree path."""
    sections = section_map() if sections is None else sections
    steplen = 4  # treebeard's MP_Node.steplen, fixed by Wagtail
    for article in articles:
        article.section = sections.get(article.path[:-steplen])
    return articles


def paginate_or_404(request, queryset, *, per_page: int | None = None):
    """A page of ``queryset`` for ``?page=N``; a non-integer, negative,
    absurdly long or out-of-range page number raises :class:`Http404`."""
    per_page = per_page or settings.NASHR_ARTICLES_PER_PAGE
    raw = request.GET.get("page", "1")
    if len(raw) > 6:
        raise Http404("bad page number")
    try:
        page = Paginator(queryset, per_page, allow_empty_first_page=True).page(raw)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("bad page number")
    attach_sections(page.object_list)
    return page


def articles_in_section(*, section) -> QuerySet:
    return articles_live().child_of(section)


def articles_with_tag(*, slug: str) -> QuerySet:
    return articles_live().filter(tags__slug=slug).distinct()


def articles_by_author(*, author) -> QuerySet:
    return articles_live().filter(authors__author=author).distinct()


def home_page_blocks(*, home) -> dict[str, Any]:
    """The home page: ``lead`` (the editor's lead story, else the newest
    featured article, else the newest), ``latest`` (up to 6 more) and
    ``section_blocks`` (a list of ``(section, [up to 4 articles])``)."""
    sections = section_map()
    recent = list(articles_live()[:30])
    lead = None
    if home.lead_story_id:
        lead = next((a for a in recent if a.pk == home.lead_story_id), None)
        if lead is None:
            lead = articles_live().filter(pk=home.lead_story_id).first()
    if lead is None:
        lead = next((a for a in recent if a.featured), None) or (recent[0] if recent else None)
    latest = [a for a in recent if lead is None or a.pk != lead.pk][:6]
    shown = {a.pk for a in latest} | ({lead.pk} if lead else set())
    by_section: dict[str, list] = {}
    for article in articles_top_per_section(home=home, per_section=4 + len(shown)):
        if article.pk not in shown:
            by_section.setdefault(article.path[:-4], []).append(article)
    section_blocks = [(s, by_section[path][:4]) for path, s in sections.items() if by_section.get(path)]
    attach_sections([lead] if lead else [], sections)
    attach_sections(latest, sections)
    for _, items in section_blocks:
        attach_sections(items, sections)
    return {"lead": lead, "latest": latest, "section_blocks": section_blocks}


def articles_top_per_section(*, home, per_section: int) -> list:
    """The newest ``per_section`` live articles of every section under
    ``home``, in one query whatever the number of sections (a window
    function ranks articles within their section; SQLite >= 3.25 and
    PostgreSQL both have them)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber, Substr

    steplen = 4
    section_path = Substr("path", 1, (home.depth + 1) * steplen)
    return list(
        articles_live()
        .filter(depth=home.depth + 2, path__startswith=home.path)
        .annotate(rank=Window(RowNumber(), partition_by=[section_path],
                              order_by=[F("date_published").desc(), F("pk").desc()]))
        .filter(rank__lte=per_section)
    )


def articles_for_news_sitemap(*, now=None) -> QuerySet:
    """Articles first published in the last two days (Google News sitemap
    rule: only articles published in the last 2 days)."""
    now = now or timezone.now()
    return articles_live().filter(date_published__gte=now - timedelta(days=2))
