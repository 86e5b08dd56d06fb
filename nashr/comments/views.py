"""Reader-facing comment views: posting (POST/redirect/GET), the reply
notification links, and the comment feeds (in :mod:`.feeds`).

A post that fails validation or the guard re-renders the article page with
the form, what was typed and the Arabic message next to the field; a post
that is stored redirects (303) back to the article: to the comment's
permalink when published, else to the form with "awaiting moderation".
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from nashr.newsletter.ratelimit import client_ip

from . import notifications, services
from .forms import CommentForm
from .models import Comment
from .selectors import article_comments_open

logger = logging.getLogger(__name__)

#: request attribute through which a bound form reaches the article template
FORM_ATTR = "_nashr_comment_form"


def _article(raw_id) -> object:
    from nashr.articles.models import ArticlePage

    try:
        article_id = int(str(raw_id))
    except (TypeError, ValueError):
        raise Http404("no such article") from None
    if not 0 < article_id < 2**63:
        raise Http404("no such article")
    article = ArticlePage.objects.live().public().filter(pk=article_id).first()
    if article is None:
        raise Http404("no such article")
    return article


def _article_with_form(request: HttpRequest, article, form: CommentForm, *, status: int) -> HttpResponse:
    """The article page again, with ``form`` (bound: values and errors)."""
    setattr(request, FORM_ATTR, form)
    response = article.serve(request)
    if hasattr(response, "render"):
        response.render()
    response.status_code = status
    return response


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# No CSRF token, on purpose (as for the newsletter box): the form sits
# under every article, and a token would give every anonymous reader a
# cookie and make article pages uncacheable. Posting a comment uses no
# ambient authority (no session or login is read), so a forged cross-site
# POST can do no more than the forger posting it directly; the signed render
# time, the honeypot, the per-IP and per-address limits and moderation
# still apply to it.
@csrf_exempt
@never_cache
@require_POST
def comment_post(request: HttpRequest) -> HttpResponse:
    """POST a comment: fields of :class:`~.forms.CommentForm`."""
    article = _article(request.POST.get("article"))
    if not article_comments_open(article=article):
        return render(request, "comments/closed.html", {"article": article}, status=403)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _article_with_form(request, article, form, status=400)
    data = form.cleaned_data
    try:
        comment = services.comment_submit(
            article=article, author_name=data["author_name"], author_email=data["author_email"],
            author_url=data["author_url"], body=data["body"], parent_id=data.get("parent"),
            notify_replies=data["notify_replies"], client_ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""), form_token=data["token"],
            honeypot=form.honeypot_value(),
        )
    except services.CommentsClosed:
        return render(request, "comments/closed.html", {"article": article}, status=403)
    except services.CommentRejected as exc:
        form.add_error(None, exc.verdict.message)
        status = 429 if exc.verdict.reason.startswith("rate-") else 400
        return _article_with_form(request, article, form, status=status)
    url = article.get_url(request)
    if comment.status == Comment.Status.APPROVED:
        return _see_other(f"{url}#comment-{comment.pk}")
    # held and spam answer alike: a spammer learns nothing
    return _see_other(f"{url}?comment=held#respond")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def notify_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed "turn on reply notifications" link: GET shows a button
    (mail scanners follow links), POST turns them on."""
    try:
        comment = notifications.notify_token_check(token=token, kind="confirm")
    except notifications.LinkInvalid:
        return render(request, "comments/notify.html", {"state": "invalid"}, status=400)
    if request.method == "POST":
        services.comment_notify_confirm(comment=comment)
        return render(request, "comments/notify.html", {"state": "confirmed", "comment": comment})
    return render(request, "comments/notify.html", {"state": "confirm", "comment": comment})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def notify_stop(request: HttpRequest, token: str) -> HttpResponse:
    """The "stop these emails" link in every reply notification: GET shows
    a button, POST stops notifications for this article."""
    try:
        comment = notifications.notify_token_check(token=token, kind="stop")
    except notifications.LinkInvalid:
        return render(request, "comments/notify.html", {"state": "invalid"}, status=400)
    if request.method == "POST":
        services.comment_notify_stop(comment=comment)
        return render(request, "comments/notify.html", {"state": "stopped", "comment": comment})
    return render(request, "comments/notify.html", {"state": "stop", "comment": comment})
