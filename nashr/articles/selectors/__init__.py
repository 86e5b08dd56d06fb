"""Reads for pages, feeds and sitemaps. Every selector issues a fixed number
of SQL queries, whatever the number of tags, authors or images involved.

The package's modules: ``listings`` (lists of articles and sections,
pagination, the home page's blocks, the news sitemap; the per-process cache
of the live sections), ``article_page`` (the article at a URL, its view
restrictions and everything its template shows), ``renditions`` (images with
their renditions; the rendition specs pages use) and ``cached_rows`` (reads
whose SQL is built once per process). The public names are all importable
from here.
"""

from .article_page import (
    absolute,
    article_authors,
    article_for_path,
    article_json_ld,
    article_meta_description,
    article_page_context,
    article_reading_minutes,
    article_tags,
    page_absolute_url,
    page_view_restrictions,
)
from .cached_rows import objects_cached, queryset_sql_cached, rows_cached
from .listings import (
    SECTIONS_TTL_S,
    articles_by_author,
    articles_for_news_sitemap,
    articles_in_section,
    articles_live,
    articles_top_per_section,
    articles_with_tag,
    attach_sections,
    home_page_blocks,
    paginate_or_404,
    section_map,
    sections_cache_clear,
    sections_for_request,
    sections_live,
)
from .renditions import (
    AUTHOR_PHOTO_SPECS,
    CARD_SPECS,
    FIGURE_SPECS,
    LEAD_SPECS,
    OG_SPEC,
    images_with_renditions,
)
