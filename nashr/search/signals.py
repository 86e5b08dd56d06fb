"""Keep the index and the related-articles lists in step with publishing.
Receivers are thin: they enqueue a task after commit. Connected from
``SearchConfig.ready`` (not at import time, so importing this module has no
effect)."""

from __future__ import annotations

from django.db.models.signals import post_delete, pre_delete
from wagtail.signals import page_published, page_unpublished

_UID = "nashr.search.signals"


def article_changed(sender, instance, **kwargs) -> None:
    from .tasks import search_index_article_on_commit

    search_index_article_on_commit(instance.pk)


def article_deleting(sender, instance, **kwargs) -> None:
    """The lists that show an article are found through rows the delete
    cascades away, so collect them before it, and recompute them after."""
    from .models import RelatedArticle
    from .tasks import related_compute_many_on_commit

    showing = RelatedArticle.objects.filter(related_id=instance.pk).exclude(article_id=instance.pk)
    related_compute_many_on_commit(sorted(set(showing.values_list("article_id", flat=True))))


def connect() -> None:
    from nashr.articles.models import ArticlePage

    page_published.connect(article_changed, sender=ArticlePage, dispatch_uid=f"{_UID}.published")
    page_unpublished.connect(article_changed, sender=ArticlePage, dispatch_uid=f"{_UID}.unpublished")
    pre_delete.connect(article_deleting, sender=ArticlePage, dispatch_uid=f"{_UID}.deleting")
    post_delete.connect(article_changed, sender=ArticlePage, dispatch_uid=f"{_UID}.deleted")
