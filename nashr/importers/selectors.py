"""Reads for imported content."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect

#: query parameters WordPress uses for its "plain" permalinks
WORDPRESS_QUERY_KEYS = ("p", "page_id", "attachment_id", "cat", "tag")


def wordpress_query_redirect(*, page, request):
    """The redirect response for a WordPress "plain" link (``/?p=123``,
    ``/?page_id=7``...) served by the site's root page, or ``None``.

    Only for the site root and only when the query has one of
    :data:`WORDPRESS_QUERY_KEYS`, so ordinary pages pay nothing.
    """
    if not request.GET or not any(key in request.GET for key in WORDPRESS_QUERY_KEYS):
        return None
    if page.depth > 2:
        return None
    from wagtail.contrib.redirects.middleware import get_redirect
    from wagtail.contrib.redirects.models import Redirect

    path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
    redirect = get_redirect(request, path)
    if redirect is None or redirect.link is None:
        return None
    cls = HttpResponsePermanentRedirect if redirect.is_permanent else HttpResponseRedirect
    return cls(redirect.link)
