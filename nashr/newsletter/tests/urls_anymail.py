"""The site's URLs plus django-anymail's webhooks at ``/anymail/``, as
docs/newsletter.md tells operators to add them to ``nashr/site/urls.py``."""

from django.urls import include, path

from nashr.site.urls import handler400, handler403, handler404, handler500  # noqa: F401
from nashr.site.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("anymail/", include("anymail.urls")), *site_urlpatterns]
