from django.urls import path, reverse
from django.utils.html import format_html
from laces.components import Component
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_import, admin_views  # noqa: F401  (admin_import registers its hooks)
from .models import Issue, Subscriber, Suppression


#: first characters that make a spreadsheet read a cell as a formula (OWASP
#: "CSV Injection"); such cells are exported with a leading apostrophe
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` with a leading ``'`` when a spreadsheet would run it.

    >>> spreadsheet_safe("=1+2"), spreadsheet_safe("سارة"), spreadsheet_safe(3)
    ("'=1+2", 'سارة', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SubscriberIndexView(generic.IndexView):
    def write_csv_row(self, writer, row_dict):
        return writer.writerow({
            field: spreadsheet_safe(self.preprocess_field_value(field, value, self.FORMAT_CSV))
            for field, value in row_dict.items()
        })


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    index_view_class = SubscriberIndexView
    icon = "user"
    menu_label = "المشتركون"
    list_display = ["email", "name", "status", "source", "created_at", "confirmed_at"]
    list_filter = ["status", "source"]
    search_fields = ["email", "name"]
    list_export = ["email", "name", "status", "source", "created_at", "confirmed_at", "unsubscribed_at"]
    export_filename = "subscribers"
    form_fields = ["email", "name", "status"]


class ProgressColumn(Column):
    """Sent / total and failures, from counts annotated on the listing's
    queryset (:class:`IssueIndexView`): no query per row."""

    def get_value(self, instance):
        return format_html(
            '<a href="{}">{} / {} · فشل {}</a>',
            reverse("newsletter_issue_control", args=[instance.pk]),
            instance.n_sent, instance.n_total, instance.n_failed,
        )


class IssueIndexView(generic.IndexView):
    def get_base_queryset(self):
        from django.db.models import Count, Q

        from .models import Delivery

        return super().get_base_queryset().annotate(
            n_total=Count("deliveries"),
            n_sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            n_failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        )


class IssueViewSet(ModelViewSet):
    model = Issue
    index_view_class = IssueIndexView
    icon = "mail"
    menu_label = "أعداد النشرة"
    list_display = ["subject", "status", ProgressColumn("progress", label="التقدّم"), "created_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    form_fields = ["subject", "article", "send_at"]


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    icon = "warning"
    menu_label = "قائمة الحظر"
    list_display = ["email_key", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email_key"]
    form_fields = ["email_key", "reason", "detail"]


class NewsletterGroup(ViewSetGroup):
    menu_label = "النشرة البريدية"
    menu_icon = "mail"
    menu_order = 300
    submenu_hook = "register_newsletter_menu_item"
    items = (IssueViewSet("newsletter_issues"), SubscriberViewSet("newsletter_subscribers"),
             SuppressionViewSet("newsletter_suppression"))


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterGroup()


@hooks.register("register_admin_urls")
def register_newsletter_admin_urls():
    return [
        path("newsletter/issues/<int:pk>/control/", admin_views.issue_control, name="newsletter_issue_control"),
        path("newsletter/issues/<int:pk>/action/<str:action>/", admin_views.issue_action,
             name="newsletter_issue_action"),
        path("newsletter/issues/<int:pk>/preview/", admin_views.issue_preview, name="newsletter_issue_preview"),
    ]


class SubscriberCountsPanel(Component):
    """The admin dashboard's newsletter summary: subscribers per status and
    the latest issue's progress."""

    name = "newsletter_counts"
    template_name = "newsletter/admin/dashboard_panel.html"
    order = 90

    def get_context_data(self, parent_context):
        from django.db.models import Count

        from .sending import issue_progress

        context = super().get_context_data(parent_context)
        counts = dict(Subscriber.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
        context["counts"] = [(label, counts.get(value, 0)) for value, label in Subscriber.Status.choices]
        context["suppressed"] = Suppression.objects.count()
        latest = Issue.objects.order_by("-created_at").first()
        context["latest"] = latest
        context["progress"] = issue_progress(issue=latest) if latest else None
        return context


@hooks.register("construct_homepage_panels")
def add_newsletter_panel(request, panels):
    if request.user.has_perm("newsletter.view_subscriber") or request.user.has_perm("newsletter.change_issue"):
        panels.append(SubscriberCountsPanel())
