"""Members' pages: sign in by magic link, the account page, sign out, delete.

A sign-in link is safe to *fetch*: GET only shows a page with a button (mail
scanners and link previews follow links, and would otherwise spend it); the
button's POST signs in. Every page here is ``never_cache``.
"""

from __future__ import annotations

import logging

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from nashr.newsletter.models import Subscriber
from nashr.newsletter.ratelimit import client_ip

from .forms import SigninForm
from .selectors import member_for_request
from .services import (
    TokenState, member_delete, member_newsletter_set, member_signin, member_signin_request,
    member_token_check, next_url_clean, signin_lifetime_phrase,
)

logger = logging.getLogger(__name__)


def _page(request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    base = {"link_minutes": signin_lifetime_phrase()}
    return render(request, f"members/{template}", {**base, **(context or {})}, status=status)


def _signin_redirect(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('members:signin')}?next={reverse('members:account')}")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """GET: the sign-in form. POST: "check your inbox", the same page for
    every valid address; the form again, with an Arabic error, otherwise."""
    next_url = next_url_clean(request.POST.get("next") if request.method == "POST" else request.GET.get("next"))
    if request.method != "POST":
        if member_for_request(request) is not None:
            return HttpResponseRedirect(next_url or reverse("members:account"))
        return _page(request, "signin.html", {"form": SigninForm(initial={"next": next_url}),
                                              "next": next_url})
    form = SigninForm(request.POST)
    if not form.is_valid():
        return _page(request, "signin.html", {"form": form, "next": next_url}, status=400)
    member_signin_request(email=form.cleaned_data["email"], client_ip=client_ip(request),
                          next_url=next_url)
    return _page(request, "signin_sent.html", {"email": form.cleaned_data["email"]})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signin_link(request: HttpRequest) -> HttpResponse:
    """The page a sign-in link opens. GET: checks the link without spending
    it and shows a "sign in" button; POST (the button, CSRF protected):
    signs in and goes to ``next`` (a path on this site) or the account page.
    Used, expired or broken links: an Arabic explanation and the form."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("sesame", "")
    next_url = next_url_clean(source.get("next"))
    if request.method == "POST":
        state = member_signin(request=request, token=token)
        if state == TokenState.VALID:
            return HttpResponseRedirect(next_url or reverse("members:account"))
    else:
        state, _ = member_token_check(token=token)
    if state != TokenState.VALID:
        response = _page(request, "link_invalid.html",
                         {"reason": state.value, "form": SigninForm(initial={"next": next_url}),
                          "next": next_url},
                         status=410 if state == TokenState.EXPIRED else 400)
    else:
        response = _page(request, "signin_link.html", {"token": token, "next": next_url})
    # The token is in this page's URL: requests from it send the origin
    # only, never the path (not "no-referrer": browsers then send
    # "Origin: null" with the button's POST, which CSRF checking refuses).
    response["Referrer-Policy"] = "strict-origin"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The member's page: address, newsletter on/off (POST
    ``action=newsletter_on|newsletter_off``), sign out, delete. Anyone else
    is sent to the sign-in page."""
    member = member_for_request(request)
    if member is None:
        return _signin_redirect(request)
    notice = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("newsletter_on", "newsletter_off"):
            return _page(request, "account.html", {"member": member, "notice": "bad_action"}, status=400)
        member_newsletter_set(member=member, on=action == "newsletter_on")
        notice = action
    subscriber = member.subscriber
    return _page(request, "account.html", {
        "member": member, "subscriber": subscriber, "notice": notice,
        "newsletter_on": subscriber.status == Subscriber.Status.CONFIRMED,
    })


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    """POST: sign out (the session is flushed) and go home. GET: a page with
    the button (a link in someone else's page must not sign you out)."""
    if request.method == "POST":
        logout(request)
        return HttpResponseRedirect("/")
    return _page(request, "signout.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """GET: what will be deleted, and a button. POST (``confirm=yes``):
    delete the account and its personal data, sign out, say so."""
    member = member_for_request(request)
    if member is None:
        return _signin_redirect(request)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return _page(request, "delete.html", {"member": member, "error": True}, status=400)
        member_delete(member=member)
        logout(request)
        request.__dict__.pop("_nashr_member", None)  # the header must not say "حسابي" any more
        return _page(request, "deleted.html")
    return _page(request, "delete.html", {"member": member})
