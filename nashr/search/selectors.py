"""Reads from the search index.

SQLite: FTS5 MATCH over the key columns, ranked by an exact title match
first, then bm25 with column weights (title > standfirst > tags > body).

Other databases (TEMPORARY, until the PostgreSQL full-text backend of issue 6
lands): a plain ``icontains`` over the key columns, newest first, no
relevance ranking beyond the exact-title bonus. It finds the same articles
for single words but is slow on large sites and does not rank.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.models import Case, IntegerField, Q, Value, When

from .keys import word_keys
from .query import ParsedQuery, fts_match

log = logging.getLogger(__name__)

#: bm25 column weights, in the FTS5 column order of migration 0001.
BM25_WEIGHTS = {"title_keys": 10.0, "standfirst_keys": 4.0, "tags_keys": 3.0, "body_keys": 1.0}
SORTS = ("relevance", "newest")

_FROM = (
    " FROM search_articlefts f"
    " JOIN search_articlesearchentry e ON e.article_id = f.rowid"
    " JOIN wagtailcore_page p ON p.id = f.rowid"
    " JOIN articles_articlepage a ON a.page_ptr_id = f.rowid"
    " WHERE search_articlefts MATCH %s AND p.live"
)


class SearchResults:
    """The live, public articles matching a query, as a lazy sequence for
    :class:`django.core.paginator.Paginator`: ``count()`` is one query and
    each slice is two (the ids, then the articles with their lead images).
    Articles found in the index but no longer live or public are dropped
    from a slice (the index lags publishing by one background task)."""

    def __init__(self, query: ParsedQuery, *, sort: str = "relevance"):
        self.query = query
        self.sort = sort if sort in SORTS else "relevance"
        self._count: int | None = None

    # -- SQLite FTS5 ---------------------------------------------------
    def _fts(self) -> bool:
        return connection.vendor == "sqlite"

    def _fts_ids(self, offset: int, limit: int) -> list[int]:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS.values())
        if self.sort == "newest":
            order = "COALESCE(a.date_published, p.first_published_at) DESC, f.rowid DESC"
            params = [fts_match(self.query)]
        else:
            order = f"(e.title_exact = %s) DESC, bm25(search_articlefts, {weights}), f.rowid DESC"
            params = [fts_match(self.query), self.query.folded]
        sql = f"SELECT f.rowid{_FROM} ORDER BY {order} LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def _fts_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*){_FROM}", [fts_match(self.query)])
            return cursor.fetchone()[0]

    # -- fallback (temporary) -------------------------------------------
    def _fallback_queryset(self):
        from .models import ArticleSearchEntry

        columns = list(BM25_WEIGHTS)
        qs = ArticleSearchEntry.objects.filter(article__live=True)
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


def articles_search(*, query: ParsedQuery, sort: str = "relevance") -> SearchResults:
    return SearchResults(query, sort=sort)
