"""Baseline B of ``bench/article_pages.py``: the smallest Django project that
returns the bytes of one Nashr article page, to be served by gunicorn.

Settings and the view live in this one file (``settings.configure``): no
database, no installed apps, no middleware, no templates. Whatever path is
requested, the response is the file named by ``BENCH_HTML`` read once at
import time. Run with::

    BENCH_HTML=/path/article.html gunicorn --chdir bench minimal_django:application
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

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

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after configure)
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402


def article(request, **kwargs):
    return HttpResponse(HTML, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"", article)]

application = get_wsgi_application()
