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


def search_index_article_on_commit(article_id: int) -> None:
    """Enqueue the re-index once the current transaction commits (now, when
    there is none), so the task sees what was saved."""
    transaction.on_commit(lambda: search_index_article_task.enqueue(article_id))


def related_compute_many_on_commit(article_ids: list[int]) -> None:
    if article_ids:
        transaction.on_commit(lambda: related_compute_many_task.enqueue(list(article_ids)))
