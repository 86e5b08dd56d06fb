"""Background tasks (django-tasks): thin, by id, safe to run twice."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from . import services


@task()
def search_index_article_task(article_id: int) -> bool:
    return services.search_index_article(article_id=article_id)


def search_index_article_on_commit(article_id: int) -> None:
    """Enqueue the re-index once the current transaction commits (now, when
    there is none), so the task sees what was saved."""
    transaction.on_commit(lambda: search_index_article_task.enqueue(article_id))
