"""Editors' newsletter controls in the Wagtail admin: an issue's progress
(sent / total, failures, rate), start, pause, resume, cancel, a test send to
oneself, a preview, and decisions on deliveries with an unknown outcome."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import sending
from .models import Delivery, Issue


def _require_editor(request) -> None:
    if not request.user.has_perm("newsletter.change_issue"):
        raise PermissionDenied


def issue_control(request, pk: int):
    _require_editor(request)
    issue = get_object_or_404(Issue.objects.select_related("article"), pk=pk)
    progress = sending.issue_progress(issue=issue)
    done = progress["sent"] + progress["failed"] + progress["bounced"] + progress["complained"]
    rate = None
    if issue.started_at and progress["sent"]:
        end = issue.finished_at or timezone.now()
        seconds = max(1.0, (end - issue.started_at).total_seconds())
        rate = round(progress["sent"] / seconds * 60, 1)  # messages per minute
    unknown = Delivery.objects.filter(issue=issue, status=Delivery.Status.UNKNOWN).select_related("subscriber")[:200]
    failures = (Delivery.objects.filter(issue=issue, status=Delivery.Status.FAILED)
                .select_related("subscriber").order_by("-pk")[:50])
    return TemplateResponse(request, "newsletter/admin/issue_control.html", {
        "issue": issue, "progress": progress, "done": done, "rate": rate,
        "unknown": unknown, "failures": failures,
        "percent": int(100 * done / progress["total"]) if progress["total"] else 0,
    })


@require_POST
def issue_action(request, pk: int, action: str):
    from .tasks import issue_send_task, issue_start_task

    _require_editor(request)
    issue = get_object_or_404(Issue, pk=pk)
    try:
        if action == "start":
            issue_start_task.enqueue(issue.pk)
            messages.success(request, "بدأ إرسال العدد.")
        elif action == "pause":
            sending.issue_set_status(issue=issue, status=Issue.Status.PAUSED)
            messages.success(request, "أُوقف الإرسال مؤقتًا.")
        elif action == "resume":
            sending.issue_set_status(issue=issue, status=Issue.Status.SENDING)
            issue_send_task.enqueue(issue.pk)
            messages.success(request, "استؤنف الإرسال.")
        elif action == "cancel":
            sending.issue_set_status(issue=issue, status=Issue.Status.CANCELLED)
            messages.success(request, "أُلغي العدد؛ لن يُرسل ما تبقّى منه.")
        elif action == "test":
            sending.issue_send_test(issue=issue, to_email=request.user.email,
                                    to_name=request.user.get_full_name())
            messages.success(request, f"أُرسلت نسخة تجريبية إلى {request.user.email}.")
        elif action in ("resend-unknown", "mark-sent-unknown"):
            delivery = get_object_or_404(Delivery, pk=request.POST.get("delivery"), issue=issue)
            sending.delivery_resolve_unknown(delivery=delivery, resend=action == "resend-unknown")
            if action == "resend-unknown":
                issue_send_task.enqueue(issue.pk)
            messages.success(request, "سُجّل قرارك.")
        else:
            raise PermissionDenied
    except ValueError as exc:
        messages.error(request, f"تعذّر تنفيذ الطلب: {exc}")
    except Exception as exc:  # e.g. the test send could not reach the SMTP server
        messages.error(request, f"تعذّر تنفيذ الطلب: {exc}")
    return redirect("newsletter_issue_control", pk=issue.pk)


def issue_preview(request, pk: int):
    """The issue's HTML as subscribers will see it (links are examples)."""
    _require_editor(request)
    issue = get_object_or_404(Issue, pk=pk)
    sending.issue_render_once(issue=issue)
    html = (issue.html_template.replace("%%UNSUBSCRIBE_URL%%", "#unsubscribe")
            .replace("%%MANAGE_URL%%", "#manage"))
    response = HttpResponse(html)
    # the preview is the editor's own content, but never let it run scripts
    response["Content-Security-Policy"] = "script-src 'none'; object-src 'none'"
    return response
