from django.conf import settings


def site_context(request):
    """Site name, description and the section navigation (one query, lazily:
    only pages that render the header pay for it)."""
    from django.utils.functional import SimpleLazyObject

    from nashr.articles.selectors import sections_for_request

    return {
        "site_name": settings.NASHR_SITE_NAME,
        "site_description": settings.NASHR_SITE_DESCRIPTION,
        "site_url": settings.SITE_URL,
        "nav_sections": SimpleLazyObject(lambda: sections_for_request(request)),
    }
