"""The article page's reads with SQL built once per process: they give
what the ORM gives (the same objects, fields converted, deferred fields and
annotations as a queryset sets them), in a fixed number of queries."""

import pytest
from django.db import connection
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext

from nashr.articles.images import NewsImage
from nashr.articles.models import ArticlePage, Author
from nashr.articles.selectors import article_authors, article_tags, images_with_renditions, objects_cached

from .factories import build_site

pytestmark = pytest.mark.django_db


def _row(article):
    return (type(article), article.pk, article.title, article.live, article.date_published,
            article.first_published_at, article.title_length, article.get_deferred_fields())


def test_objects_cached_gives_what_the_queryset_gives():
    site = build_site(articles_per_section=2, body_images=0)
    build = (lambda first_id: ArticlePage.objects.filter(pk__gte=first_id)
             .only("title", "live", "date_published", "first_published_at")
             .annotate(title_length=Length("title")).order_by("-date_published", "pk"))
    for article in site["articles"][:2]:
        got = objects_cached(ArticlePage, ("test-articles", "default"), build, article.pk, alias="default")
        assert got
        assert [_row(a) for a in got] == [_row(a) for a in build(article.pk)]
        assert got[0].date_published.tzinfo is not None  # converted, not the stored text


def test_objects_cached_refuses_a_join_it_cannot_read():
    build_site(articles_per_section=1, body_images=0)
    with pytest.raises(ValueError):
        objects_cached(Author, ("test-authors", "default"),
                       lambda n: Author.objects.filter(pk__gt=n).select_related("photo"), 0, alias="default")


def test_byline_tags_and_images_in_fixed_queries():
    site = build_site(articles_per_section=1, authors_per_article=2, tags_per_article=3, body_images=0)
    article = site["articles"][0]
    NewsImage.objects.get(pk=article.lead_image_id).get_renditions("width-480", "width-800")  # a first view
    with CaptureQueriesContext(connection) as ctx:
        authors = article_authors(article_id=article.pk)
        tags = article_tags(article_id=article.pk)
        images = images_with_renditions(ids=[article.lead_image_id, None, *(a.photo_id for a in authors)])
    assert len(ctx.captured_queries) == 4
    assert authors == [link.author for link in article.authors.order_by("sort_order")]
    assert [a.name for a in authors] == ["كاتب رقم 1", "كاتب رقم 2"]
    assert [(t.name, t.slug) for t in tags] == [(t.name, t.slug) for t in article.tags.all()]
    assert set(images) == {article.lead_image_id, *(a.photo_id for a in authors)}
    lead = images[article.lead_image_id]
    assert lead.credit == NewsImage.objects.get(pk=article.lead_image_id).credit
    with CaptureQueriesContext(connection) as ctx:
        renditions = lead.get_renditions("width-480", "width-800")
    assert len(ctx.captured_queries) == 0  # prefetched
    assert [r.width for r in renditions.values()] == [480, 800]
    assert images_with_renditions(ids=[None]) == {}
    assert images_with_renditions(ids=[10**9]) == {}


def test_images_with_only_the_renditions_a_page_shows():
    site = build_site(articles_per_section=1, authors_per_article=1, body_images=0)
    article = site["articles"][0]
    stored = NewsImage.objects.get(pk=article.lead_image_id)
    stored.get_renditions("width-480", "width-800", "fill-320x180")
    images = images_with_renditions(ids=[article.lead_image_id], specs=("width-800", "width-480", "fill-1x1"))
    lead = images[article.lead_image_id]
    assert sorted(r.filter_spec for r in lead.prefetched_renditions) == ["width-480", "width-800"]
    with CaptureQueriesContext(connection) as ctx:
        renditions = lead.get_renditions("width-480", "width-800")
    assert len(ctx.captured_queries) == 0
    shown = stored.get_renditions("width-480", "width-800")
    assert [r.url for r in renditions.values()] == [r.url for r in shown.values()]


def test_images_with_each_images_own_renditions_in_two_queries():
    site = build_site(articles_per_section=1, authors_per_article=1, body_images=0)
    article = site["articles"][0]
    lead = NewsImage.objects.get(pk=article.lead_image_id)
    photo = NewsImage.objects.get(pk=site["authors"][0].photo_id)
    for image in (lead, photo):
        image.get_renditions("width-480", "width-800", "fill-96x96")
    with CaptureQueriesContext(connection) as ctx:
        images = images_with_renditions(specs_by_id={lead.pk: {"width-800", "width-480"}, photo.pk: {"fill-96x96"},
                                                     10**9: {"width-480"}})
    assert len(ctx.captured_queries) == 2
    assert set(images) == {lead.pk, photo.pk}
    assert sorted(r.filter_spec for r in images[lead.pk].prefetched_renditions) == ["width-480", "width-800"]
    assert [r.filter_spec for r in images[photo.pk].prefetched_renditions] == ["fill-96x96"]
    # an image in two roles gets the renditions of both
    both = images_with_renditions(specs_by_id={lead.pk: {"width-480", "fill-96x96"}})
    assert sorted(r.filter_spec for r in both[lead.pk].prefetched_renditions) == ["fill-96x96", "width-480"]
    with CaptureQueriesContext(connection) as ctx:
        renditions = images[photo.pk].get_renditions("fill-96x96")
    assert len(ctx.captured_queries) == 0
    assert renditions["fill-96x96"].url == photo.get_rendition("fill-96x96").url
