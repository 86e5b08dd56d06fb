"""Template tags for members: the header link and the invitation dialog."""

from __future__ import annotations

from django import template
from django.conf import settings

from ..selectors import member_for_request, request_is_editor

register = template.Library()


@register.inclusion_tag("members/includes/nav_link.html", takes_context=True)
def member_nav(context) -> dict:
    """The header's "sign in" link, or "my account" for a signed-in member."""
    request = context.get("request")
    member = member_for_request(request) if request is not None else None
    return {"is_member": member is not None,
            "next": request.path if request is not None else "/"}


#: ``{(site name, scroll percent, dismiss days): HTML}``: the invitation is
#: the same for every reader it is shown to, so it is rendered once per
#: process and settings.
_INVITE_HTML: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def member_invite(context) -> str:
    """The invitation to subscribe (a ``<dialog>``, closed, opened by
    nashr.js after the reader has scrolled ``NASHR_INVITE_SCROLL_PERCENT``
    of the article). Rendered only on a free article (``access`` in the
    context, from the article page), for a reader who is neither member nor
    editor, and while ``NASHR_INVITE_ENABLED``; else an empty string."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    data = member_invite_context(context)
    if not data["show"]:
        return ""
    key = (data["site_name"], data["scroll_percent"], data["dismiss_days"])
    html = _INVITE_HTML.get(key)
    if html is None:
        if len(_INVITE_HTML) > 16:  # settings changed many times (tests)
            _INVITE_HTML.clear()
        html = _INVITE_HTML[key] = render_to_string("members/includes/invite.html", data)
    return mark_safe(html)


def member_invite_context(context) -> dict:
    """``show``, ``site_name``, ``scroll_percent`` and ``dismiss_days`` of
    :func:`member_invite`."""
    access = context.get("access")
    request = context.get("request")
    show = bool(
        settings.NASHR_INVITE_ENABLED and access is not None and not access.gated
        and request is not None and not getattr(request, "is_preview", False)
        and member_for_request(request) is None
        and not request_is_editor(request)
    )
    return {
        "show": show,
        "site_name": context.get("site_name", settings.NASHR_SITE_NAME),
        "scroll_percent": max(0, min(100, int(settings.NASHR_INVITE_SCROLL_PERCENT))),
        "dismiss_days": max(0, int(settings.NASHR_INVITE_DISMISS_DAYS)),
    }
