"""Light rows of articles for cards (the related articles under an article).

A card shows a few public fields of an article; making a deferred
:class:`~nashr.articles.models.ArticlePage` for each (forty-odd fields set
to "deferred", signals, state) costs more than reading the row. An
:class:`ArticleCard` holds only the values read, under the model's field
names, and answers what a card asks of an article: ``pk``, ``published``,
``section`` (set by :func:`nashr.articles.selectors.attach_sections`) and
its URL, exactly as Wagtail gives it for the page.
"""

from __future__ import annotations

from typing import Any


class ArticleCard:
    """One article row for a card: the attributes read (field attnames such
    as ``id``, ``title``, ``standfirst``, ``url_path``, ``path``,
    ``date_published``, ``first_published_at``, ``lead_image_id``, and any
    annotation), set by :func:`article_cards_cached`."""

    #: The page model whose URLs a card gives (its class decides whether
    #: :mod:`nashr.articles.page_urls` may work them out or asks Wagtail).
    page_class: type | None = None
    section: Any = None

    @property
    def pk(self):
        return self.id

    @property
    def published(self):
        """``ArticlePage.published``: the publication date, else the first
        publication time."""
        return self.date_published or self.first_published_at

    @property
    def url(self) -> str | None:
        """``page.url`` (without a request)."""
        return self.get_url()

    def get_url(self, request=None) -> str | None:
        """``page.get_url(request)``, worked out from the row
        (:func:`nashr.articles.page_urls.page_url`); in the cases that
        module hands to Wagtail (a page class with URL rules of its own,
        i18n...), Wagtail's answer for the page read from the database
        (one query)."""
        from .page_urls import page_url

        return page_url(self, request=request)

    def _get_site_root_paths(self, cache_object=None):
        """Wagtail's ``Page._get_site_root_paths``: the sites' root paths,
        kept on ``cache_object`` (the request) when given."""
        from wagtail.models import Page

        return Page._get_site_root_paths(self, cache_object)

    def _get_relevant_site_root_paths(self, cache_object=None):
        """Wagtail's ``Page._get_relevant_site_root_paths``: the root paths
        of the sites this page is under."""
        return tuple(srp for srp in self._get_site_root_paths(cache_object)
                     if self.url_path.startswith(srp.root_path))

    def __repr__(self) -> str:
        return f"<ArticleCard {getattr(self, 'id', None)}: {getattr(self, 'title', '')!r}>"


def article_cards_cached(page_class, key: tuple, build, *values, alias: str) -> list[ArticleCard]:
    """:class:`ArticleCard` rows of the ``page_class`` queryset
    ``build(*values)`` (see :func:`nashr.articles.selectors.rows_cached`:
    its SQL built once per process for ``key``; one query): each card has
    the queryset's fields under their attnames, its annotations, and
    ``page_class``."""
    from .selectors import rows_cached

    names, annotations, rows = rows_cached(page_class, key, build, *values, alias=alias)
    columns = [*names, *sorted(annotations, key=annotations.get)]
    if [annotations[name] for name in columns[len(names):]] != list(range(len(names), len(columns))):
        raise ValueError(f"cannot read the annotations of {key!r} in column order")
    cards = []
    for row in rows:
        card = ArticleCard()
        card.__dict__.update(zip(columns, row))
        card.page_class = page_class
        cards.append(card)
    return cards
