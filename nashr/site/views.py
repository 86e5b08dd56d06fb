"""Site-wide views: robots.txt and Arabic error pages."""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        f"Sitemap: {settings.SITE_URL}/news-sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=86400, public=True)
def media(request, path, document_root=None):
    """Serve a file under ``MEDIA_ROOT`` (uploads and renditions) with
    Django's path-traversal-safe static file view; 404 for anything else.
    ``document_root`` is read at request time so tests can move it."""
    from django.http import Http404
    from django.views.static import serve

    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:  # e.g. a file name longer than the file system allows
        raise Http404("no such file")


def _error_page(request, template: str, status: int) -> HttpResponse:
    # Rendered without context processors' database reads: an error page
    # must render even when the database is what failed.
    body = loader.get_template(template).render(
        {"site_name": settings.NASHR_SITE_NAME, "status": status}
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def permission_denied(request, exception=None):
    return _error_page(request, "errors/403.html", 403)


def csrf_failure(request, reason=""):
    """Django's CSRF failure view, in Arabic: usually an old tab or blocked
    cookies."""
    return _error_page(request, "errors/403_csrf.html", 403)


def bad_request(request, exception=None):
    return _error_page(request, "errors/400.html", 400)


def page_not_found(request, exception=None):
    return _error_page(request, "errors/404.html", 404)


def server_error(request):
    return _error_page(request, "errors/500.html", 500)
