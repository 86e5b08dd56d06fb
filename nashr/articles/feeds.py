"""RSS 2.0 and Atom 1.0 feeds (Django's syndication framework) for the whole
site, each section, each tag and each author. Links are absolute (from
``NASHR_SITE_URL``); the lead image is sent as an enclosure with its byte
length, as RSS 2.0 requires."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from django.utils.html import escape

from . import selectors
from .models import Author
from .sanitise import xml_text

FEED_SIZE = 30
ENCLOSURE_SPEC = "width-1200"


class ArabicRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        attrs = super().rss_attributes()
        attrs["xmlns:dc"] = "http://purl.org/dc/elements/1.1/"
        return attrs


class BaseArticleFeed(Feed):
    feed_type = ArabicRssFeed
    language = "ar"

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return None

    def queryset(self, obj):
        return selectors.articles_live()

    def items(self, obj):
        items = list(self.queryset(obj).prefetch_related("tags", "authors__author")[:FEED_SIZE])
        self._renditions = {}
        for article in items:
            if article.lead_image is not None:
                self._renditions[article.pk] = article.lead_image.get_rendition(ENCLOSURE_SPEC)
        return items

    def title(self, obj):
        return settings.NASHR_SITE_NAME

    def description(self, obj):
        return settings.NASHR_SITE_DESCRIPTION

    subtitle = description

    def link(self, obj):
        return settings.SITE_URL + "/"

    def feed_url(self, obj):
        return settings.SITE_URL + self.request.path

    def item_title(self, item):
        return xml_text(item.title)

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> are read as HTML:
        # the plain-text standfirst is escaped so it shows as text.
        return escape(xml_text(item.standfirst or selectors.article_meta_description(item)))

    def item_link(self, item):
        return selectors.page_absolute_url(item)

    def item_guid(self, item):
        return f"{settings.SITE_URL}/p/{item.pk}/"

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.date_updated or item.last_published_at or item.published

    def item_author_name(self, item):
        names = [xml_text(link.author.name) for link in item.authors.all()]
        return "، ".join(names) or None

    def item_categories(self, item):
        return [xml_text(tag.name) for tag in item.tags.all()]

    def item_enclosures(self, item):
        from django.utils.feedgenerator import Enclosure

        rendition = self._renditions.get(item.pk)
        if rendition is None:
            return []
        try:
            length = rendition.file.size
        except OSError:
            return []
        mime = mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg"
        return [Enclosure(selectors.absolute(rendition.url), str(length), mime)]


class SiteRssFeed(BaseArticleFeed):
    pass


class SiteAtomFeed(SiteRssFeed):
    feed_type = Atom1Feed


class SectionRssFeed(BaseArticleFeed):
    def get_object(self, request, section=None):
        return section

    def queryset(self, obj):
        return selectors.articles_in_section(section=obj)

    def title(self, obj):
        return xml_text(f"{obj.title} — {settings.NASHR_SITE_NAME}")

    def description(self, obj):
        return xml_text(obj.intro or settings.NASHR_SITE_DESCRIPTION)

    subtitle = description

    def link(self, obj):
        return selectors.page_absolute_url(obj)


class SectionAtomFeed(SectionRssFeed):
    feed_type = Atom1Feed


class TagRssFeed(BaseArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def queryset(self, obj):
        return selectors.articles_with_tag(slug=obj.slug)

    def title(self, obj):
        return xml_text(f"وسم: {obj.name} — {settings.NASHR_SITE_NAME}")

    def link(self, obj):
        return f"{settings.SITE_URL}/tag/{obj.slug}/"


class TagAtomFeed(TagRssFeed):
    feed_type = Atom1Feed


class AuthorRssFeed(BaseArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def queryset(self, obj):
        return selectors.articles_by_author(author=obj)

    def title(self, obj):
        return xml_text(f"{obj.name} — {settings.NASHR_SITE_NAME}")

    def description(self, obj):
        return xml_text(obj.bio or settings.NASHR_SITE_DESCRIPTION)

    subtitle = description

    def link(self, obj):
        return settings.SITE_URL + obj.get_absolute_url()


class AuthorAtomFeed(AuthorRssFeed):
    feed_type = Atom1Feed
