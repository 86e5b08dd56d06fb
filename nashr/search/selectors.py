"""Reads from the search index.

Two backends with one interface (:class:`SearchResults`), both fed the same
keys (:mod:`.keys`) and ranked alike: an exact title match first, then
weighted relevance (title > standfirst > tags > body, plus a bonus for
words matched as written).

- SQLite: FTS5 MATCH (:func:`.query.fts_match`), ``bm25`` with column weights.
- PostgreSQL: ``tsvector`` columns generated from the keys with the
  ``simple`` configuration (migration 0004) and a GIN index,
  ``@@`` a ``tsquery`` (:func:`.query.tsquery`), ``ts_rank_cd`` with weights.

Other databases: a plain ``icontains`` over the key columns, newest first,
no relevance ranking beyond the exact-title bonus (slow on large sites).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, connection
from django.db.models import Case, IntegerField, Q, Value, When

from .keys import word_keys
from .query import ParsedQuery, fts_match, tsquery

log = logging.getLogger(__name__)

#: bm25 column weights, in the FTS5 column order of migration 0001.
BM25_WEIGHTS = {"title_keys": 10.0, "standfirst_keys": 4.0, "tags_keys": 3.0, "body_keys": 1.0,
                "exact_keys": 2.0}
SORTS = ("relevance", "newest")
#: Relevance is computed over at most this many matches, the newest (see
#: :meth:`SearchResults._fts_ids`; both backends) ...
RANK_CAP = 1000
#: ... and matches are counted up to this many (the page then says "more
#: than"; pages past it are not offered).
COUNT_CAP = RANK_CAP
#: ts_rank_cd weights {D, C, B, A} = body, tags, standfirst, title (same
#: proportions as :data:`BM25_WEIGHTS`) and the share of the exact bonus.
PG_WEIGHTS = "{0.1, 0.3, 0.4, 1.0}"
PG_EXACT_WEIGHT = 0.2
_PG_FROM = (
    " FROM search_articlesearchentry e"
    " JOIN wagtailcore_page p ON p.id = e.article_id"
    " JOIN articles_articlepage a ON a.page_ptr_id = e.article_id"
    " WHERE e.search_vector @@ %s::tsquery AND p.live"
)

_FROM = (
    " FROM search_articlefts f"
    " JOIN search_articlesearchentry e ON e.article_id = f.rowid"
    " JOIN wagtailcore_page p ON p.id = f.rowid"
    " JOIN articles_articlepage a ON a.page_ptr_id = f.rowid"
    " WHERE search_articlefts MATCH %s AND p.live"
)
_PUBLISHED = "COALESCE(a.date_published, p.first_published_at)"


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a search: articles under the section whose tree path is
    ``section_path`` (None: all), published at or after ``date_from`` and
    before ``date_to`` (aware datetimes; None: unbounded)."""

    section_path: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None

    def sql(self) -> tuple[str, list]:
        """Extra ``AND …`` conditions on the FTS query, with their params."""
        parts, params = [], []
        if self.section_path:
            parts.append(" AND p.path LIKE %s")
            params.append(self.section_path + "%")
        if self.date_from is not None:
            parts.append(f" AND {_PUBLISHED} >= %s")
            params.append(connection.ops.adapt_datetimefield_value(self.date_from))
        if self.date_to is not None:
            parts.append(f" AND {_PUBLISHED} < %s")
            params.append(connection.ops.adapt_datetimefield_value(self.date_to))
        return "".join(parts), params

    def q(self) -> Q:
        """The same conditions for the ORM, from :class:`ArticleSearchEntry`."""
        cond = Q()
        if self.section_path:
            cond &= Q(article__path__startswith=self.section_path)
        if self.date_from is not None:
            cond &= Q(article__date_published__gte=self.date_from)
        if self.date_to is not None:
            cond &= Q(article__date_published__lt=self.date_to)
        return cond


class SearchResults:
    """The live, public articles matching a query, as a lazy sequence for
    :class:`django.core.paginator.Paginator`: ``count()`` is one query and
    each slice is two (the ids, then the articles with their lead images).
    Articles found in the index but no longer live or public are dropped
    from a slice (the index lags publishing by one background task)."""

    def __init__(self, query: ParsedQuery, *, sort: str = "relevance", filters: SearchFilters | None = None):
        self.query = query
        self.sort = sort if sort in SORTS else "relevance"
        self.filters = filters or SearchFilters()
        self._count: int | None = None

    # -- SQLite FTS5 ---------------------------------------------------
    def _fts(self) -> bool:
        return connection.vendor in ("sqlite", "postgresql")

    def _pg_ids(self, offset: int, limit: int) -> list[int]:
        """PostgreSQL, the same two stages as :meth:`_fts_ids`: the newest
        :data:`RANK_CAP` matches, then ``ts_rank_cd`` over those only."""
        where, where_params = self.filters.sql()
        if self.sort == "newest":
            sql = f"SELECT e.article_id{_PG_FROM}{where} ORDER BY {_PUBLISHED} DESC, e.article_id DESC"
            params = [tsquery(self.query), *where_params]
        else:
            inner = f"SELECT e.article_id AS id{_PG_FROM}{where} ORDER BY e.article_id DESC LIMIT {RANK_CAP}"
            sql = (
                f"SELECT c.id FROM ({inner}) c JOIN search_articlesearchentry e ON e.article_id = c.id"
                " ORDER BY (e.title_exact = %s) DESC,"
                f" ts_rank_cd('{PG_WEIGHTS}', e.search_vector, %s::tsquery)"
                f" + {PG_EXACT_WEIGHT} * ts_rank_cd(e.exact_vector, %s::tsquery) DESC, c.id DESC"
            )
            params = [tsquery(self.query), *where_params, self.query.folded, tsquery(self.query),
                      tsquery(self.query, exact=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql + " LIMIT %s OFFSET %s", [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def _pg_count(self) -> int:
        where, where_params = self.filters.sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1{_PG_FROM}{where} LIMIT {COUNT_CAP}) c",
                           [tsquery(self.query), *where_params])
            return cursor.fetchone()[0]

    def _fts_ids(self, offset: int, limit: int) -> list[int]:
        """SQLite, two stages: the newest :data:`RANK_CAP` matches (FTS5
        yields them in rowid order and stops, computing bm25 for those rows
        only), then those ranked. A query of rare words has fewer matches
        than the cap and is ranked in full; a query of very common words
        (``في``) is ranked among its newest matches instead of scoring every
        article — what keeps it fast on a large site."""
        if connection.vendor == "postgresql":
            return self._pg_ids(offset, limit)
        weights = ", ".join(str(w) for w in BM25_WEIGHTS.values())
        where, where_params = self.filters.sql()
        if self.sort == "newest":
            sql = (f"SELECT f.rowid{_FROM}{where} ORDER BY {_PUBLISHED} DESC, f.rowid DESC"
                   " LIMIT %s OFFSET %s")
            params = [fts_match(self.query), *where_params, limit, offset]
        else:
            inner = (f"SELECT f.rowid AS id, bm25(search_articlefts, {weights}) AS score,"
                     f" e.title_exact = %s AS exact{_FROM}{where} ORDER BY f.rowid DESC LIMIT {RANK_CAP}")
            sql = f"SELECT id FROM ({inner}) ORDER BY exact DESC, score, id DESC LIMIT %s OFFSET %s"
            params = [self.query.folded, fts_match(self.query), *where_params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def _fts_count(self) -> int:
        """The number of matches, counted up to :data:`COUNT_CAP` (then
        :attr:`capped` is true and the page says "more than")."""
        if connection.vendor == "postgresql":
            return self._pg_count()
        with connection.cursor() as cursor:
            where, where_params = self.filters.sql()
            cursor.execute(f"SELECT count(*) FROM (SELECT 1{_FROM}{where} LIMIT {COUNT_CAP})",
                           [fts_match(self.query), *where_params])
            return cursor.fetchone()[0]

    @property
    def capped(self) -> bool:
        return self.count() >= COUNT_CAP

    # -- fallback (temporary) -------------------------------------------
    def _fallback_queryset(self):
        from .models import ArticleSearchEntry

        columns = [c for c in BM25_WEIGHTS if c != "exact_keys"]
        qs = ArticleSearchEntry.objects.filter(self.filters.q(), article__live=True)
        for term in self.query.terms:
            if term.is_phrase:
                keys = [word_keys(w) for w in term.words]
                options = {" ".join(k.folded for k in keys), " ".join(k.stem for k in keys)}
            else:
                options = set(word_keys(term.words[0]).all)
            cond = Q()
            for option in options:
                for column in columns:
                    cond |= Q(**{f"{column}__icontains": option})
            qs = qs.filter(cond)
        exact = Case(When(title_exact=self.query.folded, then=Value(0)), default=Value(1),
                     output_field=IntegerField())
        if self.sort == "newest":
            return qs.order_by("-article__date_published", "-article_id")
        return qs.annotate(exact=exact).order_by("exact", "-article__date_published", "-article_id")

    # -- sequence protocol ------------------------------------------------
    def count(self) -> int:
        if self._count is None:
            if not self.query:
                self._count = 0
            elif self._fts():
                try:
                    self._count = self._fts_count()
                except DatabaseError:  # defensive: a MATCH the escaping missed
                    log.exception("search count failed for %r", self.query.text)
                    self._count = 0
            else:
                self._count = self._fallback_queryset().count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            items = self[index:index + 1]
            if not items:
                raise IndexError(index)
            return items[0]
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if not self.query or stop <= start:
            return []
        if self._fts():
            try:
                ids = self._fts_ids(start, stop - start)
            except DatabaseError:
                log.exception("search failed for %r", self.query.text)
                ids = []
        else:
            ids = list(self._fallback_queryset().values_list("article_id", flat=True)[start:stop])
        return articles_by_ids(ids)


def articles_by_ids(ids: list[int]) -> list:
    """The live, public articles with these ids, in the order given."""
    from nashr.articles.selectors import articles_live

    found = {a.pk: a for a in articles_live().filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def articles_search(*, query: ParsedQuery, sort: str = "relevance",
                    filters: SearchFilters | None = None) -> SearchResults:
    return SearchResults(query, sort=sort, filters=filters)


# --- related articles ------------------------------------------------------

#: The rendition shown on a related-article card (made when the list is
#: computed, see :func:`nashr.search.services.related_renditions_ensure`).
RELATED_CARD_SPEC = "fill-320x180"
#: The fields of a related article read for its card: public fields only.
_CARD_FIELDS = (
    "related__id", "related__title", "related__standfirst", "related__url_path", "related__path",
    "related__depth", "related__date_published", "related__first_published_at", "related__live",
    "related__lead_image_id", "related__content_type_id", "related__locale_id",
)


def articles_related(*, article_id: int, limit: int = 6) -> list:
    """The stored related-articles list of article ``article_id``, best
    first, in ONE query: only related articles that are still live and not
    behind a Wagtail view restriction (stale rows are skipped here until the
    next refresh), with the card's lead-image rendition joined in.

    Returns :class:`~nashr.articles.cards.ArticleCard` rows of the related
    articles' public card fields (``pk``, ``title``, ``standfirst``,
    ``url_path``, ``path``, ``published``, ``lead_image_id``...; their URL as
    Wagtail gives the page's), plus ``related_score`` and ``card_image``
    (``{"url", "width", "height", "alt"}`` or None when the image has no
    card rendition yet).
    """
    from django.db import router
    from django.db.models import Exists, OuterRef, Subquery
    from django.db.models.functions import Length, Substr
    from wagtail.models import PageViewRestriction

    from nashr.articles.cards import article_cards_cached
    from nashr.articles.images import NewsRendition, storage_url
    from nashr.articles.models import ArticlePage

    from .models import RelatedArticle

    def build(article_id):
        # a restriction on the related article or any of its ancestors (a
        # tree path prefix of its own)
        restricted = PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
        link = RelatedArticle.objects.using(alias).filter(article_id=article_id, related_id=OuterRef("pk"))
        rendition = NewsRendition.objects.filter(
            image_id=OuterRef("lead_image_id"), filter_spec=RELATED_CARD_SPEC
        ).order_by("-pk")
        return (
            ArticlePage.objects.using(alias)
            .filter(pk__in=RelatedArticle.objects.filter(article_id=article_id).values("related_id"), live=True)
            .exclude(Exists(restricted))
            .only(*(name.removeprefix("related__") for name in _CARD_FIELDS))
            .annotate(
                related_rank=Subquery(link.values("rank")[:1]),
                related_score=Subquery(link.values("score")[:1]),
                card_file=Subquery(rendition.values("file")[:1]),
                card_width=Subquery(rendition.values("width")[:1]),
                card_height=Subquery(rendition.values("height")[:1]),
            )
            .order_by("related_rank", "pk")[:limit]
        )

    # The query is the same for every article but its id, and building it
    # costs the ORM some twenty times what SQLite takes to run it: its SQL,
    # and how a row becomes a card (fields converted as usual, the
    # annotations set as attributes), are worked out once per process; a
    # card is a light row, not a deferred ArticlePage.
    alias = router.db_for_read(ArticlePage)
    cards = article_cards_cached(ArticlePage, ("articles_related", alias, limit), build, int(article_id),
                                 alias=alias)
    storage = NewsRendition._meta.get_field("file").storage
    for related in cards:
        related.card_image = None
        if related.card_file and related.lead_image_id:
            related.card_image = {
                "url": storage_url(storage, related.card_file), "width": related.card_width,
                "height": related.card_height, "alt": "",
            }
        del related.card_file, related.card_width, related.card_height, related.related_rank
    return cards
