"""Baseline B of ``bench/article_pages.py``: the smallest Django project that
returns the bytes of one Nashr article page, to be served by gunicorn.

Settings and the view live in this one file (``settings.configure``): no
database, no installed apps, no middleware, no templates. Whatever path is
requested, the response is the file named by ``BENCH_HTML``, read once when
the application is made. Importing this module has no side effects; gunicorn
calls the factory::

    BENCH_HTML=/path/article.html gunicorn --chdir bench 'minimal_django:make_application()'
"""

from __future__ import annotations

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import re_path

HTML = b""


def article(request, **kwargs):
    return HttpResponse(HTML, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"", article)]


def make_application():
    """Configure Django for this one view and return the WSGI application."""
    global HTML
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    HTML = Path(os.environ["BENCH_HTML"]).read_bytes()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={},
        USE_I18N=False,
        USE_TZ=True,
    )
    return get_wsgi_application()
