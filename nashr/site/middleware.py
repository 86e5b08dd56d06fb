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
