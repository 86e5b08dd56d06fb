"""Background tasks (django-tasks): thin, by id, safe to run twice."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from . import services


@task()
def search_index_article_task(article_id: int) -> bool:
    """Bring the article's index row in step, then its related-articles
    list and those of the articles around it (the related lists are read
    from the index, so this order matters)."""
    indexed = services.search_index_article(article_id=article_id)
    services.related_refresh(article_id=article_id)
    return indexed


@task()
def related_compute_many_task(article_ids: list[int]) -> int:
    """Recompute the related lists of these articles (e.g. those that
    showed an article that has been deleted)."""
    services.related_compute_many(article_ids=list(article_ids))
    return len(article_ids)


@task()
def related_refresh_many_task(article_ids: list[list[int]], settled: list[list[int]], last: bool = False) -> int:
    """:func:`services.related_refresh_many` for the articles in the id
    ranges ``article_ids`` (``[[first, last], ...]``, both ends included),
    leaving out of the neighbours recomputed here the articles in the
    ranges ``settled`` (other tasks of the same import compute theirs).

    The tasks of one import (same ``settled``) run one after another in a
    worker; what they read of the index that does not change between them
    — candidates' weighted terms (the vector store) and term counts — is
    kept in the worker process from one task to the next
    (:data:`_RELATED_RUN`), as one computation over the whole import would
    keep it, and dropped after the task marked ``last``, when a task of
    another import comes, or after :data:`RELATED_RUN_KEEP_S` seconds
    without one. An article edited while they run is scored with its terms
    as first read; its own publishing task, queued after them, refreshes
    it and its neighbours. Returns the number of lists computed."""
    import hashlib
    import json
    import time

    from nashr.site.sqlite import sqlite_reads_without_mmap

    from .related import VectorStore

    key = hashlib.sha256(json.dumps(settled).encode()).hexdigest()
    now = time.monotonic()
    run = _RELATED_RUN
    if run.get("key") != key or now - run.get("at", now) > RELATED_RUN_KEEP_S:
        run.clear()
        run.update(key=key, df={}, vectors=VectorStore(max_terms=services.RELATED_VECTOR_TERMS_KEPT))
    try:
        # the lists read most of the index once: through the page cache, not
        # mapped in, so the worker's memory does not grow with the site
        with sqlite_reads_without_mmap():
            return services.related_refresh_many(article_ids=ids_from_ranges(article_ids),
                                                 settled=IdRanges(settled), df_cache=run["df"],
                                                 vectors=run["vectors"])
    finally:
        run["at"] = time.monotonic()
        if last:
            run.clear()


#: What consecutive :func:`related_refresh_many_task` runs of one import
#: share in this process: ``{"key", "df", "vectors", "at"}`` (empty between imports).
_RELATED_RUN: dict = {}
#: Seconds after which a kept vector store is not reused (and is dropped
#: by the next task).
RELATED_RUN_KEEP_S = 600.0


#: Articles per related-lists task queued by :func:`related_refresh_queue`
#: (a few seconds of the worker's time each: 7.8 s on a 50,000-article site on
#: a slow 2-core machine, see bench/README.md).
RELATED_TASK_ARTICLES = 1000


def related_refresh_queue(article_ids: list[int]) -> int:
    """Queue the related-articles lists of many new articles (a bulk
    import, once they are all indexed) for the task worker, as publishing
    each of them would, in tasks of :data:`RELATED_TASK_ARTICLES`
    articles: each computes its articles' lists and refreshes the lists
    of their neighbours that are not among ``article_ids``. The ids travel
    as ranges, so a task's arguments stay small however large the import.
    Enqueued when the current transaction commits (now, when there is
    none). Returns the number of tasks."""
    ids = sorted(set(article_ids))
    settled = id_ranges(ids)
    chunks = [id_ranges(ids[start:start + RELATED_TASK_ARTICLES])
              for start in range(0, len(ids), RELATED_TASK_ARTICLES)]

    def enqueue() -> None:
        for n, chunk in enumerate(chunks, start=1):
            related_refresh_many_task.enqueue(chunk, settled, last=n == len(chunks))

    transaction.on_commit(enqueue)
    return len(chunks)


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Sorted ids as ``[[first, last], ...]`` runs of consecutive ids
    (both ends included): ``[1, 2, 3, 7]`` → ``[[1, 3], [7, 7]]``.

    >>> id_ranges([1, 2, 3, 7, 9, 10])
    [[1, 3], [7, 7], [9, 10]]
    """
    out: list[list[int]] = []
    for pk in sorted(set(ids)):
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return out


def ids_from_ranges(ranges: list[list[int]]) -> list[int]:
    """The ids of :func:`id_ranges`' runs, in order.

    >>> ids_from_ranges([[1, 3], [7, 7]])
    [1, 2, 3, 7]
    """
    return [pk for first, last in ranges for pk in range(first, last + 1)]


class IdRanges:
    """``pk in IdRanges(ranges)``: membership in :func:`id_ranges`' runs
    without listing their ids (binary search over the sorted runs)."""

    def __init__(self, ranges: list[list[int]]) -> None:
        self.firsts = [first for first, _ in ranges]
        self.lasts = [last for _, last in ranges]

    def __contains__(self, pk: int) -> bool:
        from bisect import bisect_right

        i = bisect_right(self.firsts, pk) - 1
        return i >= 0 and pk <= self.lasts[i]


def search_index_article_on_commit(article_id: int) -> None:
    """Enqueue the re-index once the current transaction commits (now, when
    there is none), so the task sees what was saved."""
    transaction.on_commit(lambda: search_index_article_task.enqueue(article_id))


def related_compute_many_on_commit(article_ids: list[int]) -> None:
    if article_ids:
        transaction.on_commit(lambda: related_compute_many_task.enqueue(list(article_ids)))
