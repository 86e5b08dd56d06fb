"""Keep the index in step with publishing. Receivers are thin: they enqueue
the index task after commit. Connected from ``SearchConfig.ready`` (not at
import time, so importing this module has no effect)."""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

_UID = "nashr.search.signals"


def article_changed(sender, instance, **kwargs) -> None:
    from .tasks import search_index_article_on_commit

    search_index_article_on_commit(instance.pk)


def connect() -> None:
    from nashr.articles.models import ArticlePage

    page_published.connect(article_changed, sender=ArticlePage, dispatch_uid=f"{_UID}.published")
    page_unpublished.connect(article_changed, sender=ArticlePage, dispatch_uid=f"{_UID}.unpublished")
    post_delete.connect(article_changed, sender=ArticlePage, dispatch_uid=f"{_UID}.deleted")
