"""Refuse requests that can only be abuse or garbage with an Arabic 400 page
instead of letting them reach the page tree."""

from django.conf import settings

from .views import bad_request


class BadRequestGuardMiddleware:
    """Over-long query strings (``NASHR_MAX_QUERY_STRING`` bytes, default
    2,048, well under the 8 KB request-line limit of gunicorn and nginx)
    and NUL bytes in the path or query get a 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if len(query) > settings.NASHR_MAX_QUERY_STRING or "\x00" in request.path or "%00" in query:
            return bad_request(request)
        return self.get_response(request)


class SiteCacheMiddleware:
    """Find Wagtail's ``Site`` for a request from a per-process cache.

    Wagtail looks the site up with one query per request
    (``Site.find_for_request``); sites change almost never, so the answer is
    kept for ``TTL_S`` seconds per (host, port) and dropped at once in this
    process when a Site is saved or deleted (other processes within TTL_S).
    Each request gets its own shallow copy of the site. For a path of the
    article shape, ``/<section>/<article>/``, the copy also carries the
    site's root page (the home page, read once per ``TTL_S`` and dropped in
    this process when any page is published, unpublished or moved): routing
    such a path needs only the home page's tree position and URL path, and
    so saves the two queries Wagtail makes for it. For any other path the
    root page is read fresh, so the home page itself is never served from
    this cache.
    """

    TTL_S = 30.0
    MAX_HOSTS = 64
    _cache: dict = {}

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def clear(cls, **kwargs) -> None:
        cls._cache.clear()

    def __call__(self, request):
        import time

        from django.http.request import split_domain_port
        from wagtail.models import Site

        try:
            key = (split_domain_port(request._get_raw_host())[0], request.get_port())
        except Exception:  # malformed Host: let Django answer as usual
            return self.get_response(request)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is None or hit[1] < now:
            site = Site._find_for_request(request)
            if len(self._cache) >= self.MAX_HOSTS:  # any Host header is a key
                self._cache.clear()
            # [site, expires at, the root page (specific) once read]
            self._cache[key] = hit = [site, now + self.TTL_S, None]
        site = hit[0]
        if site is not None:
            fields_cache = {}
            if _article_shaped(request.path_info):
                if hit[2] is None:
                    hit[2] = site.root_page.specific
                fields_cache["root_page"] = _shallow_copy(hit[2])
            site = _shallow_copy(site)
            site._state.fields_cache = fields_cache
        request._wagtail_site = site
        return self.get_response(request)


def _shallow_copy(instance):
    """A copy of a model instance sharing its field values but none of its
    cached relations: what ``copy.copy`` gives with a fresh state, made
    directly (``copy.copy`` of a model goes through its pickling hooks,
    which copy the state twice)."""
    from django.db.models.base import ModelState

    cls = instance.__class__
    clone = cls.__new__(cls)
    clone.__dict__.update(instance.__dict__)
    state = ModelState()
    state.__dict__.update(instance._state.__dict__)
    state.fields_cache = {}
    clone._state = state
    return clone


def _article_shaped(path: str) -> bool:
    """``/<a>/<b>/``: two non-empty path segments (an article's URL)."""
    parts = path.split("/")
    return len(parts) == 4 and parts[0] == "" and parts[3] == "" and bool(parts[1]) and bool(parts[2])
