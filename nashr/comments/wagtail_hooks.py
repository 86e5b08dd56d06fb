"""Comments in the Wagtail admin: the moderation queue's URLs and its menu
item (with the number of comments waiting), and the editors' blocklist."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_views
from .models import BlockedTerm
from .selectors import comments_pending_count


class CommentsMenuItem(MenuItem):
    """"التعليقات (3)": the label carries the pending count (one query per
    admin page for moderators only)."""

    def is_shown(self, request):
        return request.user.has_perm("comments.change_comment")

    def render_component(self, request):
        component = super().render_component(request)
        pending = comments_pending_count()
        if pending:
            component.label = f"{self.label} ({pending})"
        return component


class BlockedTermViewSet(ModelViewSet):
    model = BlockedTerm
    icon = "warning"
    add_to_admin_menu = False
    menu_label = "قائمة الحظر للتعليقات"
    list_display = ["term", "created_at"]
    search_fields = ["term"]
    form_fields = ["term"]


blocked_terms_viewset = BlockedTermViewSet("comments_blocklist")


@hooks.register("register_admin_viewset")
def register_blocklist_viewset():
    return blocked_terms_viewset


@hooks.register("register_admin_urls")
def register_comments_admin_urls():
    return [
        path("comments/", admin_views.moderation, name="comments_moderation"),
        path("comments/<int:pk>/action/<str:action>/", admin_views.comment_action, name="comments_action"),
        path("comments/<int:pk>/edit/", admin_views.comment_edit, name="comments_edit"),
        path("comments/<int:pk>/reply/", admin_views.comment_reply, name="comments_reply"),
    ]


@hooks.register("register_admin_menu_item")
def register_comments_menu_item():
    return CommentsMenuItem("التعليقات", reverse("comments_moderation"), name="comments",
                            icon_name="comment", order=250)
