"""The moderation queue in the Wagtail admin: tabs per status (pending,
approved, spam, trash) with counts, search, per-comment approve / hold /
spam / trash / delete, bulk actions, and pages to edit a comment or reply
to it as an editor. Only users with ``comments.change_comment`` get in;
deleting for good also needs ``comments.delete_comment``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import services
from .forms import CommentEditForm, CommentReplyForm
from .models import Comment
from .selectors import comment_status_counts, comments_queue

PER_PAGE = 50

_ACTIONS = {
    "approve": (services.comment_approve, "نُشر التعليق."),
    "pending": (services.comment_hold, "أُعيد التعليق إلى قائمة المراجعة."),
    "spam": (services.comment_spam, "صُنّف التعليق مزعجًا."),
    "trash": (services.comment_trash, "نُقل التعليق إلى المهملات."),
}
MSG_REPLY_HIDDEN = "لا يمكن الرد على تعليق مزعج أو في المهملات: لن يظهر على الموقع. انشره أولًا إن كان سليمًا."
BULK_LABELS = {"approve": "نُشر", "pending": "أُعيد إلى المراجعة", "spam": "صُنّف مزعجًا",
               "trash": "نُقل إلى المهملات", "delete": "حُذف نهائيًا"}


def _require_moderator(request, *, delete: bool = False) -> None:
    if not request.user.has_perm("comments.change_comment"):
        raise PermissionDenied
    if delete and not request.user.has_perm("comments.delete_comment"):
        raise PermissionDenied


def _status(value: str) -> str:
    return value if value in Comment.Status.values else Comment.Status.PENDING


def _back(request, default_status: str = Comment.Status.PENDING):
    status = _status(request.POST.get("status") or request.GET.get("status") or default_status)
    return redirect(reverse("comments_moderation") + f"?status={status}")


def moderation(request):
    """GET: the queue (``?status=``, ``?q=``, ``?page=``). POST: a bulk
    action (``action`` and ``ids``)."""
    _require_moderator(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        # ids a 64-bit integer column can hold (a forged huge id made SQLite raise: HTTP 500)
        ids = [int(i) for i in request.POST.getlist("ids") if i.isascii() and i.isdigit() and 0 < int(i) < 2**63]
        if action == "delete":
            _require_moderator(request, delete=True)
        if not ids or action not in BULK_LABELS:
            messages.error(request, "اختر تعليقًا واحدًا على الأقل وإجراءً.")
        else:
            n = services.comments_bulk(action=action, ids=ids)
            messages.success(request, f"{BULK_LABELS[action]}: {n}")
        return _back(request)
    status = _status(request.GET.get("status", ""))
    search = request.GET.get("q", "")[:200]
    page = Paginator(comments_queue(status=status, search=search), PER_PAGE).get_page(request.GET.get("page"))
    counts = comment_status_counts()
    tabs = [(value, label, counts[value]) for value, label in Comment.Status.choices]
    return TemplateResponse(request, "comments/admin/moderation.html", {
        "page_obj": page, "status": status, "tabs": tabs, "search": search,
        "can_delete": request.user.has_perm("comments.delete_comment"),
    })


@require_POST
def comment_action(request, pk: int, action: str):
    """One comment: ``approve``, ``pending``, ``spam``, ``trash`` or ``delete``."""
    _require_moderator(request, delete=action == "delete")
    comment = get_object_or_404(Comment, pk=pk)
    if action == "delete":
        services.comment_delete(comment=comment)
        messages.success(request, "حُذف التعليق نهائيًا.")
    elif action in _ACTIONS:
        func, text = _ACTIONS[action]
        func(comment=comment)
        messages.success(request, text)
    else:
        raise PermissionDenied
    return _back(request, comment.status)


def comment_edit(request, pk: int):
    _require_moderator(request)
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            services.comment_edit(comment=comment, **form.cleaned_data)
            messages.success(request, "حُفظ التعليق.")
            return redirect(reverse("comments_moderation") + f"?status={comment.status}")
    else:
        form = CommentEditForm(initial={"author_name": comment.author_name, "author_url": comment.author_url,
                                        "body": comment.body})
    return TemplateResponse(request, "comments/admin/edit.html", {"comment": comment, "form": form,
                                                                   "mode": "edit"})


def comment_reply(request, pk: int):
    _require_moderator(request)
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    if request.method == "POST":
        form = CommentReplyForm(request.POST)
        if comment.status in (Comment.Status.SPAM, Comment.Status.TRASH):
            # the reply would be published on its own, under no comment
            form.add_error("body", MSG_REPLY_HIDDEN)
        if form.is_valid():
            reply = services.comment_reply_as_editor(parent=comment, user=request.user,
                                                     body=form.cleaned_data["body"])
            messages.success(request, "نُشر ردّك.")
            return redirect(reverse("comments_moderation") + f"?status={reply.status}")
    else:
        form = CommentReplyForm()
    return TemplateResponse(request, "comments/admin/edit.html", {"comment": comment, "form": form,
                                                                   "mode": "reply"},
                            status=400 if form.errors else 200)
