from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from nashr.articles import feeds, views as article_views

from . import views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("news-sitemap.xml", article_views.news_sitemap, name="news-sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("feed/", feeds.SiteRssFeed(), name="feed-rss"),
    path("feed/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("newsletter/", include("nashr.newsletter.urls")),
    path("subscribe/", RedirectView.as_view(pattern_name="newsletter:subscribe", permanent=True)),
    path("p/<int:page_id>/", article_views.short_link, name="short-link"),
    path("tag/<str:slug>/", article_views.tag_page, name="tag"),
    path("tag/<str:slug>/feed/", feeds.TagRssFeed(), name="tag-feed-rss"),
    path("tag/<str:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("search/", include("nashr.search.urls")),
    path("comments/", include("nashr.comments.urls")),
    path("account/", include("nashr.members.urls")),
    path("author/<str:slug>/", article_views.author_page, name="author"),
    path("author/<str:slug>/feed/", feeds.AuthorRssFeed(), name="author-feed-rss"),
    path("author/<str:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    # Uploaded images and their renditions, for the embedded install; behind
    # a reverse proxy at scale, let the proxy serve MEDIA_ROOT at /media/.
    re_path(r"^media/(?P<path>.*)$", views.media, {"document_root": settings.MEDIA_ROOT}),
    # Email providers' bounce and complaint webhooks (django-anymail), served
    # only when NASHR_ANYMAIL_WEBHOOK_SECRET is set, so never open to anyone
    *([path("anymail/", include("anymail.urls"))] if settings.ANYMAIL.get("WEBHOOK_SECRET") else []),
    path("", include(wagtail_urls)),
]

handler400 = "nashr.site.views.bad_request"
handler403 = "nashr.site.views.permission_denied"
handler404 = "nashr.site.views.page_not_found"
handler500 = "nashr.site.views.server_error"
