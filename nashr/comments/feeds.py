"""RSS 2.0 feeds of approved comments: one for the whole site
(``/comments/feed/``) and one per article (``/comments/feed/<article id>/``).

An item carries the commenter's name (never the email: Django's
``item_author_email`` is left unset), the comment as escaped HTML and a
permalink ``/p/<article id>/#comment-<id>`` (the short link needs no page
tree lookup and redirects to the article, keeping the fragment)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed

from nashr.articles.feeds import ArabicRssFeed
from nashr.articles.sanitise import xml_text
from nashr.articles.selectors import page_absolute_url

from .rendering import comment_body_html, comment_text_clean
from .selectors import comments_for_feed
from .views import _article

FEED_SIZE = 30


def _text(value: str) -> str:
    return xml_text(comment_text_clean(value))


class SiteCommentsFeed(Feed):
    feed_type = ArabicRssFeed
    language = "ar"

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return None

    def items(self, obj):
        return comments_for_feed(article_id=obj.pk if obj else None, limit=FEED_SIZE)

    def title(self, obj):
        return xml_text(f"التعليقات — {settings.NASHR_SITE_NAME}")

    def description(self, obj):
        return xml_text(f"أحدث تعليقات القرّاء في {settings.NASHR_SITE_NAME}")

    def link(self, obj):
        return settings.SITE_URL + "/"

    def feed_url(self, obj):
        return settings.SITE_URL + self.request.path

    def item_title(self, item):
        return _text(f"{item.author_name} عن «{item.article.title}»")

    def item_description(self, item):
        return xml_text(str(comment_body_html(item.body)))

    def item_link(self, item):
        return f"{settings.SITE_URL}/p/{item.article_id}/#comment-{item.pk}"

    def item_guid(self, item):
        return self.item_link(item)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return _text(item.author_name)


class ArticleCommentsFeed(SiteCommentsFeed):
    def get_object(self, request, article_id):
        return _article(article_id)

    def title(self, obj):
        return _text(f"التعليقات على «{obj.title}» — {settings.NASHR_SITE_NAME}")

    def description(self, obj):
        return _text(f"تعليقات القرّاء على «{obj.title}»")

    def link(self, obj):
        return page_absolute_url(obj)

    def item_title(self, item):
        return _text(f"تعليق من {item.author_name}")
