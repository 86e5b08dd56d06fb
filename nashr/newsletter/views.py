"""Reader-facing newsletter pages: subscribe, confirm, unsubscribe, manage.

Every link that arrives by email is safe to *fetch*: GET only shows a page
with a button (mail scanners and link previews follow links); the button's
POST acts. The unsubscribe URL also takes the RFC 8058 one-click POST from
mail providers, without cookies or CSRF token.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import SubscribeForm
from .models import Subscriber, Suppression
from .ratelimit import client_ip
from .subscriptions import (
    confirmation_lifetime_phrase, newsletter_name, subscriber_confirm, subscriber_resubscribe, subscriber_subscribe,
    subscriber_unsubscribe,
)
from .tokens import (
    TokenExpired, TokenInvalid, confirm_token_check, manage_token_check,
    manage_url_for, unsubscribe_token_check,
)

logger = logging.getLogger(__name__)


def _page(request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    base = {"newsletter_name": newsletter_name()}
    return render(request, f"newsletter/{template}", {**base, **(context or {})}, status=status)


def _check_inbox(request: HttpRequest, *, email: str) -> HttpResponse:
    """The one answer to every accepted POST of the form, whatever happened."""
    return _page(request, "check_inbox.html",
                 {"email": email[:254], "expires_phrase": confirmation_lifetime_phrase()})


def _link_invalid(request: HttpRequest, *, reason: str, status: int) -> HttpResponse:
    return _page(request, "link_invalid.html", {"reason": reason}, status=status)


# No CSRF token here, on purpose: the box sits on every public page, and a
# token would give every anonymous reader a cookie (and make pages
# uncacheable). A forged cross-site POST can do no more than a stranger
# typing the address: start a double opt-in, bounded by the per-IP and
# per-address limits and one confirmation email per address per 24 hours.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """GET: the subscribe page. POST: a sign-up; answers "check your inbox"
    for every valid or bot submission, re-shows the form for invalid input."""
    if request.method != "POST":
        return _page(request, "subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    if form.honeypot_filled():
        logger.warning("newsletter honeypot filled from %s; nothing stored", client_ip(request))
        return _check_inbox(request, email=request.POST.get("email", ""))
    if not form.is_valid():
        return _page(request, "subscribe.html", {"form": form})
    subscriber_subscribe(
        email=form.cleaned_data["email"], name=form.cleaned_data["name"],
        source=form.cleaned_data["source"], client_ip=client_ip(request),
    )
    return _check_inbox(request, email=form.cleaned_data["email"])


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a "confirm" button (changes nothing). POST: confirm
    and thank. Expired or invalid links: an Arabic explanation and the form."""
    try:
        subscriber = confirm_token_check(token=token)
    except TokenExpired:
        return _link_invalid(request, reason="expired", status=410)
    except TokenInvalid:
        return _link_invalid(request, reason="invalid", status=400)
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return _page(request, "confirmed.html", {"already": True})
    if subscriber.status != Subscriber.Status.PENDING:
        # unsubscribed or cleaned since the link was sent
        return _link_invalid(request, reason="invalid", status=400)
    if request.method == "POST":
        subscriber_confirm(subscriber=subscriber)
        return _page(request, "confirmed.html", {"already": False})
    return _page(request, "confirm.html", {"email": subscriber.email})


@csrf_exempt  # RFC 8058 one-click: a provider's POST has no cookie and no token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with an "unsubscribe" button (changes nothing). POST —
    the button's, or RFC 8058 one-click with body
    ``List-Unsubscribe=One-Click`` — unsubscribes; nothing else can change
    here, whatever the body says. Idempotent: a repeated POST answers 200."""
    try:
        subscriber = unsubscribe_token_check(token=token)
    except TokenInvalid:
        return _link_invalid(request, reason="invalid", status=400)
    if request.method == "POST":
        subscriber_unsubscribe(subscriber=subscriber)
        return _page(request, "unsubscribed.html",
                     {"email": subscriber.email, "manage_url": manage_url_for(subscriber)})
    return _page(request, "unsubscribe.html", {
        "email": subscriber.email,
        "already": subscriber.status in (Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.CLEANED),
        "manage_url": manage_url_for(subscriber),
    })


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The subscriber's own page: address, status, and an unsubscribe or a
    subscribe-again button (POST ``action=unsubscribe|resubscribe``, CSRF
    protected). Subscribing again goes through double opt-in."""
    try:
        subscriber = manage_token_check(token=token)
    except TokenInvalid:
        return _link_invalid(request, reason="invalid", status=400)
    notice = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "unsubscribe":
            subscriber_unsubscribe(subscriber=subscriber)
            notice = "unsubscribed"
        elif action == "resubscribe":
            subscriber_resubscribe(subscriber=subscriber, client_ip=client_ip(request))
            subscriber.refresh_from_db()
            notice = "check_inbox"
        else:
            return HttpResponse(status=400)
    suppressed = (subscriber.status == Subscriber.Status.CLEANED
                  or Suppression.objects.filter(email_key=subscriber.email_key).exists())
    return _page(request, "manage.html", {
        "subscriber": subscriber, "suppressed": suppressed, "notice": notice,
        "expires_phrase": confirmation_lifetime_phrase(),
    })
