"""Writes to the search index. Each is safe to run twice."""

from __future__ import annotations

from django.db import connection, transaction

from .keys import exact_words, index_text, words


def _public_article(article_id: int):
    from nashr.articles.models import ArticlePage

    return ArticlePage.objects.live().public().filter(pk=article_id).first()


def _entry_fields(article) -> dict[str, str]:
    from nashr.articles.blocks import body_plain_text

    tags = " ".join(sorted(tag.name for tag in article.tags.all()))  # the same row whatever order the database gives
    body = body_plain_text(article.body)
    exact = exact_words(" ".join([article.title, article.standfirst, tags, body]))
    return {
        "title_exact": " ".join(words(article.title)),
        "title_keys": index_text(article.title),
        "standfirst_keys": index_text(article.standfirst),
        "tags_keys": index_text(tags),
        "body_keys": index_text(body),
        "exact_keys": " ".join(exact),
    }


def search_index_article(*, article_id: int) -> bool:
    """Bring the index row of article ``article_id`` in step with the
    database: written (insert or replace) when the article is live and
    public, deleted otherwise (unpublished, private, or gone).

    Only public fields are indexed: title, standfirst, tags and the body's
    readable text. Returns True when the article is now in the index.
    """
    from .models import ArticleSearchEntry

    article = _public_article(article_id)
    if article is None:
        ArticleSearchEntry.objects.filter(article_id=article_id).delete()
        return False
    ArticleSearchEntry.objects.update_or_create(article_id=article.pk, defaults=_entry_fields(article))
    return True


def search_index_rebuild() -> int:
    """Empty the index and index every live, public article again; on
    SQLite also rebuild the FTS5 table from its content table. Returns the
    number of articles indexed."""
    from nashr.articles.models import ArticlePage

    from .models import ArticleSearchEntry

    count = 0
    with transaction.atomic():
        ArticleSearchEntry.objects.all().delete()
        articles = ArticlePage.objects.live().public().prefetch_related("tags").order_by("pk")
        batch = []
        for article in articles.iterator(chunk_size=500):
            batch.append(ArticleSearchEntry(article_id=article.pk, **_entry_fields(article)))
            if len(batch) >= 500:
                ArticleSearchEntry.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        ArticleSearchEntry.objects.bulk_create(batch)
        count += len(batch)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO search_articlefts(search_articlefts) VALUES ('rebuild')")
    return count


def search_index_articles(*, article_ids: list[int]) -> int:
    """:func:`search_index_article` for many articles at once (after a
    bulk import): their rows are replaced, a batch of 500 per statement;
    those not live and public are left out of the index. Returns the
    number indexed."""
    from nashr.articles.models import ArticlePage

    from .models import ArticleSearchEntry

    count = 0
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start:start + 500]
        with transaction.atomic():
            ArticleSearchEntry.objects.filter(article_id__in=chunk).delete()
            articles = ArticlePage.objects.live().public().filter(pk__in=chunk).prefetch_related("tags")
            rows = [ArticleSearchEntry(article_id=a.pk, **_entry_fields(a)) for a in articles]
            ArticleSearchEntry.objects.bulk_create(rows)
        count += len(rows)
    return count


# --- related articles ------------------------------------------------------

#: Query terms (highest weight first) used to fetch candidates from the index.
RELATED_QUERY_TERMS = 24
#: Candidates scored exactly per computation ...
RELATED_CANDIDATES = 60
#: ... chosen by bm25 among at most this many newest index matches.
RELATED_SCAN = 3000
#: After an article changes, this many of its most similar articles have
#: their own lists recomputed (it may now belong in them).
RELATED_NEIGHBOURS = 12

_KEY_COLUMNS = ("title_keys", "standfirst_keys", "tags_keys", "body_keys")


#: Per-process memory of the counts of frequent terms, ``{(db alias, term):
#: (count, expires at)}``. Reading a term's count costs in proportion to it,
#: so the words held by thousands of articles cost most, recur in nearly
#: every computation and barely change in relative terms within an hour.
_FREQUENT: dict[tuple[str, str], tuple[int, float]] = {}
FREQUENT_DF = 1000
FREQUENT_TTL_S = 3600.0


def _document_frequencies(terms: list[str], cache: dict | None = None) -> tuple[int, dict[str, int]]:
    """``(number of indexed articles, {term: articles holding it})``.

    SQLite: from the FTS5 index (``search_articlefts_terms``, a ``fts5vocab``
    table). PostgreSQL: one GIN index count per term. Elsewhere: counted
    over the stored stems. ``cache`` (a dict the caller keeps for a batch
    of computations, e.g. one task or one rebuild) saves reading the same
    term's count twice: the frequent words, whose counts cost most to read,
    recur in every article. Counts of :data:`FREQUENT_DF` or more are also
    kept per process for :data:`FREQUENT_TTL_S` seconds."""
    import time

    from .models import ArticleSearchEntry

    cache = {} if cache is None else cache
    now = time.monotonic()
    total = cache.get(None)
    if total is None:
        # Counting a large index table reads all of it; the total of a
        # large site is remembered like a frequent term's count.
        hit = _FREQUENT.get((connection.alias, None))
        if hit is not None and hit[1] > now:
            total = hit[0]
        else:
            total = ArticleSearchEntry.objects.count()
            if total >= FREQUENT_DF:
                _FREQUENT[(connection.alias, None)] = (total, now + FREQUENT_TTL_S)
        cache[None] = total
    if not terms:
        return total, {}
    df = {t: cache[t] for t in terms if t in cache}
    for term in terms:
        if term not in df:
            hit = _FREQUENT.get((connection.alias, term))
            if hit is not None and hit[1] > now:
                df[term] = cache[term] = hit[0]
    missing = [t for t in terms if t not in df]
    if missing and connection.vendor == "sqlite":
        found: dict[str, int] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(missing), 500):
                chunk = missing[start:start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT term, doc FROM search_articlefts_terms WHERE term IN ({marks})", chunk)
                found.update(dict(cursor.fetchall()))
        for term in missing:
            df[term] = cache[term] = found.get(term, 0)
            if df[term] >= FREQUENT_DF:
                _FREQUENT[(connection.alias, term)] = (df[term], now + FREQUENT_TTL_S)
        return total, df
    if not missing:
        return total, df
    if connection.vendor == "postgresql":
        from .query import _lexeme

        with connection.cursor() as cursor:
            for term in missing:  # each a GIN index look-up
                cursor.execute("SELECT count(*) FROM search_articlesearchentry WHERE search_vector @@ %s::tsquery",
                               [_lexeme(term)])
                df[term] = cache[term] = cursor.fetchone()[0]
        return total, df
    from .related import entry_tf

    wanted = set(terms)
    counts: dict[str, int] = dict.fromkeys(terms, 0)
    for columns in ArticleSearchEntry.objects.values(*_KEY_COLUMNS).iterator(chunk_size=1000):
        for term in set(entry_tf(columns)) & wanted:
            counts[term] += 1
    return total, counts


def _candidate_ids(*, article_id: int, query: dict[str, float]) -> list[int]:
    """Ids of the indexed articles most likely similar to ``query``: the
    best matches of its heaviest terms (an OR query on the FTS5 index, by
    bm25, on SQLite; on the tsvector, by ts_rank_cd, on PostgreSQL);
    elsewhere every indexed article."""
    from .models import ArticleSearchEntry
    from .query import fts_string

    terms = sorted(query, key=lambda t: -query[t])[:RELATED_QUERY_TERMS]
    if not terms:
        return []
    if connection.vendor == "postgresql":
        from .query import _lexeme

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article_id FROM search_articlesearchentry, CAST(%s AS tsquery) q"
                " WHERE search_vector @@ q AND article_id != %s"
                " ORDER BY ts_rank_cd(search_vector, q) DESC, article_id DESC LIMIT %s",
                [" | ".join(_lexeme(t) for t in terms), article_id, RELATED_CANDIDATES],
            )
            return [row[0] for row in cursor.fetchall()]
    if connection.vendor != "sqlite":
        return list(ArticleSearchEntry.objects.exclude(article_id=article_id)
                    .values_list("article_id", flat=True))
    match = " OR ".join(fts_string(t) for t in terms)
    # Two stages, as in search: bm25 over the newest matches only (FTS5
    # yields them in rowid order), so a few frequent terms cannot make
    # it score most of a large index.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM (SELECT rowid AS id, rank AS score FROM search_articlefts"
            " WHERE search_articlefts MATCH %s AND rowid != %s ORDER BY rowid DESC LIMIT %s)"
            " ORDER BY score LIMIT %s",
            [match, article_id, RELATED_SCAN, RELATED_CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def _related_batch_candidates(*, article_ids: list[int], df_cache: dict, vectors=None) -> dict[int, list]:
    """Every scored candidate (:class:`nashr.search.related.Candidate`,
    unordered, content similarity set, boosts not applied yet) of each of
    ``article_ids``: ``{article id: [candidate, ...]}``, ``[]`` for an
    article that is not indexed or not live.

    The same computation as one article at a time, with the reads shared:
    the articles' key columns, their candidates' key columns, the
    candidates' paths and dates and their tags are one query each for the
    whole batch; only the candidate look-up in the index
    (:func:`_candidate_ids`) is one query per article. ``vectors``: a
    :class:`nashr.search.related.VectorStore` the caller keeps across
    batches, so a candidate's stored keys are read and weighted once while
    it is held (a new store for this batch when ``None``)."""
    from .models import ArticleSearchEntry
    from .related import Candidate, VectorStore, days_between, entry_tf, entry_vector, query_vector

    out: dict[int, list] = {pk: [] for pk in article_ids}
    tfs = {
        row[0]: entry_tf(dict(zip(_KEY_COLUMNS, row[1:])))
        for row in ArticleSearchEntry.objects.filter(article_id__in=article_ids)
        .values_list("article_id", *_KEY_COLUMNS)
    }
    if not tfs:
        return out
    total, df = _document_frequencies(list(dict.fromkeys(t for tf in tfs.values() for t in tf)), df_cache)
    queries: dict[int, dict[str, float]] = {}
    found: dict[int, list[int]] = {}
    for pk, tf in tfs.items():
        queries[pk] = query_vector(tf, df=df, total=total)
        found[pk] = _candidate_ids(article_id=pk, query=queries[pk])
    wanted = list(dict.fromkeys(c for ids in found.values() for c in ids))
    if vectors is None:
        vectors = VectorStore(max_terms=RELATED_VECTOR_TERMS_KEPT)
    vectors.trim()  # before this batch: what it needs stays held until it is scored
    own_about = _related_about(list(tfs))
    for pk, tf in tfs.items():  # a later batch may have these as candidates: weigh them once
        if pk not in vectors:
            vectors.put(pk, entry_vector(tf), own_about.get(pk))
    missing = [pk for pk in wanted if not vectors.keep(pk)]
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        about = _related_about(chunk)
        for row in ArticleSearchEntry.objects.filter(article_id__in=chunk).values_list("article_id", *_KEY_COLUMNS):
            vectors.put(row[0], entry_vector(entry_tf(dict(zip(_KEY_COLUMNS, row[1:])))), about.get(row[0]))
    for pk, ids in found.items():
        own = own_about.get(pk)
        if own is None or not ids:
            continue
        query, (own_section, own_when, own_tags) = vectors.query(queries[pk]), own
        for other in ids:
            meta = vectors.about(other)
            if meta is None:  # indexed but no longer live: the index lags
                continue
            section, when, other_tags = meta
            out[pk].append(Candidate(
                article_id=other,
                content=vectors.cosine(query, other),
                shared_tags=len(own_tags & other_tags),
                same_section=section == own_section,
                days_apart=days_between(when, own_when),
            ))
    return out


def _related_about(article_ids: list[int]) -> dict[int, tuple]:
    """What the boosts need of each live article of ``article_ids``:
    ``{id: (section path, publication date, frozenset of tag ids)}``
    (the section is the parent's tree path; the date is the shown
    publication date, else the first publication). Two queries."""
    from nashr.articles.models import ArticlePage, ArticleTag

    tags: dict[int, set[int]] = {}
    for obj_id, tag_id in ArticleTag.objects.filter(content_object_id__in=article_ids) \
            .values_list("content_object_id", "tag_id"):
        tags.setdefault(obj_id, set()).add(tag_id)
    return {
        pk: (path[:-4], shown or first, frozenset(tags.get(pk, ())))
        for pk, path, shown, first in ArticlePage.objects.filter(pk__in=article_ids, live=True)
        .values_list("pk", "path", "date_published", "first_published_at")
    }


#: Articles whose lists :func:`related_compute_many` computes together (their
#: candidates' vectors, a few kB each, are held at once).
RELATED_BATCH = 100
#: Terms of candidate vectors a batch computation keeps between batches
#: (:class:`nashr.search.related.VectorStore`, about 8 bytes a term: ~24 MB,
#: e.g. 15,000 articles of 200 distinct stems each, 50,000 of 60).
RELATED_VECTOR_TERMS_KEPT = 3_000_000


def related_compute_many(*, article_ids: list[int], df_cache: dict | None = None,
                         vectors=None) -> dict[int, list[int]]:
    """Recompute and store the related-articles lists of ``article_ids``
    (each replacing the old one), :data:`RELATED_BATCH` articles at a time:
    a few queries per batch plus one index look-up per article, one
    transaction per batch. An article that is not indexed (draft,
    unpublished, private, deleted) gets an empty list.

    Returns ``{article id: ids of its candidates by falling score}`` (the
    list itself is the first :data:`~nashr.search.related.MAX_ITEMS` at
    most): the articles whose own lists may change because of this one.
    ``df_cache``: a dict the caller keeps across calls (term counts, see
    :func:`_document_frequencies`); ``vectors``: a
    :class:`nashr.search.related.VectorStore` the caller keeps across
    calls (one for this call when ``None``)."""
    from nashr.articles.models import ArticlePage
    from nashr.site.rows import insert_rows

    from .models import RelatedArticle
    from .related import VectorStore, related_select

    df_cache = {} if df_cache is None else df_cache
    vectors = VectorStore(max_terms=RELATED_VECTOR_TERMS_KEPT) if vectors is None else vectors
    ranked: dict[int, list[int]] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), RELATED_BATCH):
        chunk = ids[start:start + RELATED_BATCH]
        candidates = _related_batch_candidates(article_ids=chunk, df_cache=df_cache, vectors=vectors)
        rows, shown = [], []
        for pk in chunk:
            picked = related_select(list(candidates[pk]))
            rows += [RelatedArticle(article_id=pk, related_id=c.article_id, score=round(c.score, 6), rank=rank)
                     for rank, c in enumerate(picked, start=1)]
            shown += [c.article_id for c in picked]
            ranked[pk] = [c.article_id for c in sorted(
                (c for c in candidates[pk] if c.score > 0 or c.content > 0),
                key=lambda c: (-c.score, -c.content, -c.article_id))]
        with transaction.atomic():
            RelatedArticle.objects.filter(article_id__in=chunk).delete()
            if rows:  # an article deleted since its candidates were read keeps no list
                present = set(ArticlePage.objects.filter(pk__in={r.article_id for r in rows})
                              .values_list("pk", flat=True))
                insert_rows(RelatedArticle, [r for r in rows if r.article_id in present])
        related_renditions_ensure(article_ids=list(dict.fromkeys(shown)))
    return ranked


def related_compute(*, article_id: int, df_cache: dict | None = None, vectors=None) -> list[int]:
    """Recompute and store the related-articles list of article
    ``article_id`` (replacing the old one): :func:`related_compute_many`
    for one article. Returns the ids of its candidates by falling score."""
    return related_compute_many(article_ids=[article_id], df_cache=df_cache, vectors=vectors)[article_id]


def related_refresh(*, article_id: int) -> int:
    """After article ``article_id`` was published, edited, unpublished or
    deleted: recompute its own list, the lists that show it now, and those
    of its :data:`RELATED_NEIGHBOURS` most similar articles (it may enter
    them). Neighbours are not propagated further. Safe to run twice.
    Returns the number of lists recomputed."""
    from .models import RelatedArticle

    df_cache: dict = {}
    neighbours = related_compute(article_id=article_id, df_cache=df_cache)[:RELATED_NEIGHBOURS]
    showing = list(RelatedArticle.objects.filter(related_id=article_id).values_list("article_id", flat=True))
    todo = [pk for pk in dict.fromkeys([*neighbours, *showing]) if pk != article_id]
    related_compute_many(article_ids=todo, df_cache=df_cache)
    return 1 + len(todo)


def related_refresh_many(*, article_ids: list[int], progress=None, settled=None, df_cache: dict | None = None,
                         vectors=None) -> int:
    """:func:`related_refresh` for many new or changed articles at once
    (after a bulk import, once they are all indexed): the list of each,
    then the lists of the other articles that are among their
    :data:`RELATED_NEIGHBOURS` most similar (computed once each, however
    many of these articles they neighbour). ``settled``: a container of
    article ids whose lists are computed by another call (one import's
    articles split between several tasks), never recomputed here as
    neighbours; ``article_ids`` themselves when ``None``. ``progress``, if
    given, is called with each of ``article_ids``. ``df_cache`` and
    ``vectors``: as for :func:`related_compute_many`, kept by a caller
    that computes many lists in several calls (new ones when ``None``).
    Returns the number of lists computed."""
    from .related import VectorStore

    df_cache = {} if df_cache is None else df_cache
    vectors = VectorStore(max_terms=RELATED_VECTOR_TERMS_KEPT) if vectors is None else vectors
    wanted = set(article_ids)
    settled = () if settled is None else settled
    others: dict[int, None] = {}
    for start in range(0, len(article_ids), RELATED_BATCH):
        chunk = article_ids[start:start + RELATED_BATCH]
        ranked = related_compute_many(article_ids=chunk, df_cache=df_cache, vectors=vectors)
        for article_id in chunk:
            for other in ranked.get(article_id, [])[:RELATED_NEIGHBOURS]:
                if other not in wanted and other not in settled:
                    others[other] = None
            if progress is not None:
                progress(article_id)
    rest = list(others)
    for start in range(0, len(rest), RELATED_BATCH):
        related_compute_many(article_ids=rest[start:start + RELATED_BATCH], df_cache=df_cache,
                             vectors=vectors)
    return len(article_ids) + len(others)


def related_rebuild(*, progress=None) -> int:
    """Recompute the related list of every indexed article (after
    :func:`search_index_rebuild`). ``progress``, if given, is called with
    each article id. Returns the number of lists computed."""
    from .models import ArticleSearchEntry, RelatedArticle

    ids = list(ArticleSearchEntry.objects.order_by("article_id").values_list("article_id", flat=True))
    RelatedArticle.objects.exclude(article_id__in=ArticleSearchEntry.objects.values("article_id")).delete()
    from .related import VectorStore

    df_cache: dict = {}
    vectors = VectorStore(max_terms=RELATED_VECTOR_TERMS_KEPT)
    for start in range(0, len(ids), RELATED_BATCH):
        chunk = ids[start:start + RELATED_BATCH]
        related_compute_many(article_ids=chunk, df_cache=df_cache, vectors=vectors)
        if progress is not None:
            for article_id in chunk:
                progress(article_id)
    return len(ids)


def related_renditions_ensure(*, article_ids: list[int]) -> None:
    """Make the card rendition (:data:`nashr.search.selectors.RELATED_CARD_SPEC`)
    of these articles' lead images where missing, so the related box reads
    it in its one query and never renders an image at page time. An image
    whose file cannot be read is skipped (the card then shows no image)."""
    import logging

    from nashr.articles.images import NewsImage
    from nashr.articles.models import ArticlePage

    from .selectors import RELATED_CARD_SPEC

    if not article_ids:
        return
    lead_ids = ArticlePage.objects.filter(pk__in=article_ids, lead_image__isnull=False).values("lead_image_id")
    images = NewsImage.objects.filter(pk__in=lead_ids).exclude(renditions__filter_spec=RELATED_CARD_SPEC)
    for image in images:
        try:
            image.get_rendition(RELATED_CARD_SPEC)
        except Exception:  # a missing or broken source file must not stop the task
            logging.getLogger(__name__).warning("no card rendition for image %s", image.pk, exc_info=True)

