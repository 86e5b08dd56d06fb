"""The search index: one row per live, public article.

The row holds the article's search keys (:func:`nashr.search.keys.index_text`)
per field. On SQLite an FTS5 table, ``search_articlefts``, mirrors these
columns as an *external-content* index (``content=`` this table), kept in step
by SQL triggers made in migration 0001 — so every insert, update and delete
of an :class:`ArticleSearchEntry`, by the ORM or by a cascade, updates FTS5.
On other databases there is no FTS table yet (see :mod:`.selectors`).
"""

from __future__ import annotations

from django.db import models


class ArticleSearchEntry(models.Model):
    article = models.OneToOneField(
        "articles.ArticlePage", primary_key=True, on_delete=models.CASCADE, related_name="+",
    )
    #: Folded title words joined by spaces: an exact title match ranks first.
    title_exact = models.TextField(blank=True)
    title_keys = models.TextField(blank=True)
    standfirst_keys = models.TextField(blank=True)
    tags_keys = models.TextField(blank=True)
    body_keys = models.TextField(blank=True)
    #: Every word of title, standfirst, tags and body as written
    #: (:func:`nashr.search.keys.exact_words`): an exact match ranks above a
    #: folded or stemmed one.
    exact_keys = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Explicit so the module imports (e.g. for doctests) even before the
        # app is in INSTALLED_APPS.
        app_label = "search"
        verbose_name = "مدخل فهرس البحث"
        verbose_name_plural = "فهرس البحث"

    def __str__(self) -> str:
        return f"search entry {self.article_id}"


class RelatedArticle(models.Model):
    """One item of an article's related-articles list (مقالات ذات صلة):
    ``related`` is the ``rank``-th (1-based) most similar live article to
    ``article``, with its similarity ``score`` (see :mod:`.related`).

    Written only by :func:`nashr.search.services.related_compute`; rows whose
    ``related`` article is later unpublished stay until the next refresh and
    are filtered out when read; deleting either article deletes the row.
    """

    article = models.ForeignKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="+",
    )
    related = models.ForeignKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="+",
    )
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        app_label = "search"
        verbose_name = "مقال ذو صلة"
        verbose_name_plural = "مقالات ذات صلة"
        ordering = ["article", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="search_related_unique_pair"),
        ]
        indexes = [models.Index(fields=["article", "rank"], name="search_related_article_rank")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.related_id} (#{self.rank})"
