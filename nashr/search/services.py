"""Writes to the search index. Each is safe to run twice."""

from __future__ import annotations

from django.db import connection, transaction

from .keys import index_text, words


def _public_article(article_id: int):
    from nashr.articles.models import ArticlePage

    return ArticlePage.objects.live().public().filter(pk=article_id).first()


def _entry_fields(article) -> dict[str, str]:
    from nashr.articles.blocks import body_plain_text

    tags = " ".join(tag.name for tag in article.tags.all())
    return {
        "title_exact": " ".join(words(article.title)),
        "title_keys": index_text(article.title),
        "standfirst_keys": index_text(article.standfirst),
        "tags_keys": index_text(tags),
        "body_keys": index_text(body_plain_text(article.body)),
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
