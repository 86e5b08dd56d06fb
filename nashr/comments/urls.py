from django.urls import path

from . import feeds, views

app_name = "comments"

urlpatterns = [
    path("post/", views.comment_post, name="post"),
    path("feed/", feeds.SiteCommentsFeed(), name="feed"),
    path("feed/<int:article_id>/", feeds.ArticleCommentsFeed(), name="article_feed"),
    path("notify/confirm/<str:token>/", views.notify_confirm, name="notify_confirm"),
    path("notify/stop/<str:token>/", views.notify_stop, name="notify_stop"),
]
