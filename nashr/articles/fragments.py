"""Cached HTML fragments of the article page.

The article page is still built for every request (routing, the access
check, the page read from the database, the page template); what is kept is
the HTML of the parts that depend only on the published article and on the
site's settings, never on the reader:

``head``
    canonical link, meta description, OpenGraph and Twitter tags, JSON-LD;
``top``
    the article header (section, headline, standfirst, byline, dates,
    reading time), the lead image with its caption and credit, and the body
    the reader may see;
``footer``
    source note, tags, share links, the subscribe box, the author boxes;
``chrome_*``
    the page around the article (``base.html``): stylesheet and feed links,
    the site header with today's date and the search box, the section
    navigation, the footer — the same for every article page of the site on
    a given day.

The gate, the invitation to subscribe, the header's sign-in link are
rendered for each request. The related articles and the comments are read
from the database on every request, and only their HTML is kept, under a
key made of what they show (``nashr.search.templatetags.nashr_search.
related_block``, ``nashr.comments.templatetags.nashr_comments.
article_comments``), so a change to them shows at once.

A fragment's cache key holds everything that changes its HTML:

- the article's id, its live revision and a digest of the stored row
  (title, standfirst, body, dates, lead image, access, source fields...),
  so a new revision, or any save that changes what is shown, makes a new key
  at once in every process;
- the *part* of the body this reader gets (:func:`article_body_variant`:
  ``free``, ``members-full`` or ``members-teaser``), so a member's full text
  and an anonymous reader's teaser never share a key;
- a digest of the settings the HTML depends on (site URL and name, date
  region, digits, Hijri date, time zone, free blocks before the gate...);
- the *generation* (:func:`fragments_generation`), a number kept in the
  default cache and changed when something outside the article changes
  (any page published, unpublished, moved or deleted; an author, an image
  or a site saved or deleted): with a shared cache (``NASHR_REDIS_URL``)
  every process sees the change at once; with the in-process cache, the
  process that made the change does, and the others within
  ``NASHR_FRAGMENT_CACHE_SECONDS``.

The ``chrome_*`` fragments are keyed instead by today's date, the site,
the section navigation this process shows (ids, titles, URL paths), the
settings and the generation (:func:`chrome_digest`).

Fragments are kept ``NASHR_FRAGMENT_CACHE_SECONDS`` seconds (default 300;
``0`` turns the fragment cache off) in the ``fragments`` cache
(``CACHES["fragments"]`` in the settings). Admin previews
(``request.is_preview``) and pages not saved yet never read or fill it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.utils.safestring import SafeString, mark_safe

#: The article page's own cached parts, in page order.
ARTICLE_FRAGMENTS = ("head", "top", "footer")
#: The parts of the page around the article (``base.html``), the same on
#: every article page of the site on a given day.
CHROME_FRAGMENTS = ("chrome_head", "chrome_header", "chrome_nav", "chrome_subscribe", "chrome_footer")
FRAGMENT_NAMES = ARTICLE_FRAGMENTS + CHROME_FRAGMENTS
#: The parts built from :func:`nashr.articles.selectors.article_page_context`.
CONTEXT_FRAGMENTS = ("head", "top", "footer")
GENERATION_KEY = "nashr:fragments:generation"
CACHE_ALIAS = "fragments"
#: Bump when the markup of a fragment changes in a way its key does not show.
MARKUP_VERSION = 1

#: Fields of :class:`~nashr.articles.models.ArticlePage` whose stored value
#: can change a fragment (the body is added separately).
_ROW_FIELDS = (
    "pk", "live_revision_id", "last_published_at", "first_published_at", "title", "seo_title",
    "search_description", "slug", "url_path", "path", "standfirst", "lead_image_id",
    "date_published", "date_updated", "access", "source_publisher", "source_url",
    "source_translator", "source_licence", "comments_open",
)
_SETTINGS = (
    "SITE_URL", "NASHR_SITE_NAME", "NASHR_SITE_DESCRIPTION", "NASHR_DATE_REGION", "NASHR_DIGITS",
    "NASHR_SHOW_HIJRI", "TIME_ZONE", "STATIC_URL", "MEDIA_URL", "NASHR_GATE_FREE_BLOCKS",
    "NASHR_ARCHIVE_GATE_DAYS", "LANGUAGE_CODE",
)


def fragment_cache_seconds() -> int:
    """``NASHR_FRAGMENT_CACHE_SECONDS`` (0 or less: no fragment cache)."""
    return int(getattr(settings, "NASHR_FRAGMENT_CACHE_SECONDS", 0) or 0)


def fragments_generation() -> int:
    """The current generation (one read of the default cache). A missing
    value — first use, a cleared or culled cache — starts a new generation
    from the clock, so fragments cached before can never be reused."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY) or 0
    return int(value)


def fragments_generation_bump(**kwargs) -> None:
    """Start a new generation: every cached fragment is left unused (signal
    receiver; any arguments are ignored)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: the next read starts one
        pass


def article_body_variant(access) -> str:
    """Which part of the body a reader gets: ``"free"`` (not gated: all of
    it), ``"members-full"`` (gated, member or editor: all of it, the
    members-only part marked) or ``"members-teaser"`` (gated, anyone else:
    the first ``NASHR_GATE_FREE_BLOCKS`` blocks and the gate)."""
    if not access.gated:
        return "free"
    return "members-full" if access.full else "members-teaser"


def fragment_digest(parts: list[str]) -> str:
    """A digest (hex, 32 characters) of ``parts`` together with the settings
    HTML depends on and :data:`MARKUP_VERSION`, for fragment keys."""
    settings_values = [repr(getattr(settings, name, None)) for name in _SETTINGS]
    data = "\x1f".join([*parts, *settings_values, str(MARKUP_VERSION)])
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


def article_digest(article) -> str:
    """A digest of the stored article fields that can change its fragments,
    body included, and of the settings they depend on (hex, 32 characters)."""
    row = [str(getattr(article, name, "")) for name in _ROW_FIELDS]
    body = json.dumps(list(article.body.raw_data), ensure_ascii=False, sort_keys=True, default=str)
    return fragment_digest([*row, body])


def chrome_digest(*, sections, request) -> str:
    """A digest of what the page around an article shows: today's date in
    the site's time zone (the header shows it), the site the request is
    for, the section navigation this process has (each section's id, title
    and URL path) and the settings (hex, 32 characters)."""
    from django.utils import timezone

    site = getattr(request, "_wagtail_site", None)
    parts = [timezone.localdate().isoformat(), str(getattr(site, "pk", None))]
    parts += [f"{s.pk}\x1e{s.title}\x1e{s.url_path}" for s in sections]
    return fragment_digest(parts)


@dataclass
class ArticleFragments:
    """The fragment keys of one article page for one request, and the HTML
    already found in the cache (``hits``). ``keys`` is empty when this page
    must not use the cache (a preview, a page not saved, the cache off)."""

    keys: dict[str, str] = field(default_factory=dict)
    hits: dict[str, str] = field(default_factory=dict)
    timeout: int = 0

    @property
    def context_complete(self) -> bool:
        """Every part built from the page context is cached."""
        return bool(self.keys) and all(name in self.hits for name in CONTEXT_FRAGMENTS)

    def render(self, name: str, render: Callable[[], str]) -> SafeString:
        """The cached HTML of fragment ``name``, else ``render()``'s output,
        then stored under its key (when there is one)."""
        if name in self.hits:
            return mark_safe(self.hits[name])
        html = render()
        key = self.keys.get(name)
        if key is not None:
            caches[CACHE_ALIAS].set(key, str(html), self.timeout)
            self.hits[name] = str(html)
        return mark_safe(html)


def article_fragments(*, article, request, access, sections) -> ArticleFragments:
    """The fragments of ``article``'s page for this request (``sections``:
    the section navigation it shows), with every cached one read in one
    ``get_many``. No SQL query."""
    timeout = fragment_cache_seconds()
    if (timeout <= 0 or not getattr(article, "pk", None) or not getattr(article, "live", False)
            or request is None or getattr(request, "is_preview", False)):
        return ArticleFragments()
    generation = fragments_generation()
    base = f"nashr:frag:{article.pk}:{article_digest(article)}:{article_body_variant(access)}:{generation}"
    keys = {name: f"{base}:{name}" for name in ARTICLE_FRAGMENTS}
    chrome = f"nashr:frag:site:{chrome_digest(sections=sections, request=request)}:{generation}"
    keys.update({name: f"{chrome}:{name}" for name in CHROME_FRAGMENTS})
    found = caches[CACHE_ALIAS].get_many(list(keys.values()))
    hits = {name: found[key] for name, key in keys.items() if key in found}
    return ArticleFragments(keys=keys, hits=hits, timeout=timeout)


def connect_fragment_signals() -> None:
    """Start a new generation when something shown on article pages but
    not stored in the article changes (see the module docstring)."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .images import NewsImage
    from .models import ArticlePage, Author, HomePage, SectionPage, SimplePage

    bump = fragments_generation_bump
    page_published.connect(bump, dispatch_uid="nashr-fragments-published")
    page_unpublished.connect(bump, dispatch_uid="nashr-fragments-unpublished")
    post_page_move.connect(bump, dispatch_uid="nashr-fragments-moved")
    for model in (ArticlePage, SectionPage, HomePage, SimplePage):
        post_delete.connect(bump, sender=model, dispatch_uid=f"nashr-fragments-deleted-{model.__name__}")
    for model in (Author, NewsImage, Site):
        post_save.connect(bump, sender=model, dispatch_uid=f"nashr-fragments-saved-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"nashr-fragments-deleted-{model.__name__}")
