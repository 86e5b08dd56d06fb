"""Cache headers for pages that differ by reader.

Nashr caches no page in the process (``nashr.site.middleware.SiteCacheMiddleware``
keeps only the ``Site`` row per host), so the risk is a shared cache in front
of it — a reverse proxy or a CDN — handing one reader's page to another.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers


class MemberCacheMiddleware:
    """Every response to a signed-in reader (member or editor) gets
    ``Cache-Control: private`` and ``Vary: Cookie``; a page whose content
    depends on the reader (an article asked the gate, see
    :func:`nashr.members.selectors.article_access_for_request`) gets
    ``Vary: Cookie`` for everyone, so a shared cache keeps the anonymous
    teaser apart from a member's full text.

    Place after ``AuthenticationMiddleware``. Costs nothing for a reader
    without a session cookie (the session is then never loaded)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_nashr_varies_on_reader", False):
            patch_vary_headers(response, ("Cookie",))
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True)
                patch_vary_headers(response, ("Cookie",))
        return response
