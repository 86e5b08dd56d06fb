"""Test-wide fixtures: every test gets its own media directory, and Django's
test database (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate-limit counters, cached
    reading times): database ids repeat from one test to the next."""
    from django.core.cache import cache

    from nashr.articles.selectors import sections_cache_clear
    from nashr.site.middleware import SiteCacheMiddleware

    cache.clear()
    sections_cache_clear()
    SiteCacheMiddleware.clear()
    yield
    cache.clear()
    sections_cache_clear()
    SiteCacheMiddleware.clear()


@pytest.fixture
def immediate_tasks(settings):
    """Run background tasks at once, in the enqueuing process (django-tasks'
    ImmediateBackend), for tests of what a task's result looks like to the
    user. Changing TASKS sends ``setting_changed``, which makes django_tasks
    drop its cached backends (checked here)."""
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert isinstance(task_backends["default"], ImmediateBackend)
    yield
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def task_worker(monkeypatch):
    """``task_worker()`` runs what is queued in the database backend the
    way ``nashr serve``'s worker does (``db_worker --batch``: claim, run,
    record the outcome, until nothing is left), inside the test's
    transaction: the worker's ``close_old_connections()`` is made a no-op
    (between two requests it would close the test's connection, which
    holds that transaction). Returns the worker's log output."""
    import io

    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> str:
        out = io.StringIO()
        call_command("db_worker", batch=True, stdout=out, stderr=out)
        return out.getvalue()

    return run


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that Django's mail and the
    newsletter's SMTP provider both send to; yields the server, whose
    ``messages`` are what it accepted."""
    from nashr.newsletter.testing import SmtpServer

    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.NASHR_NEWSLETTER_PROVIDER = "nashr.newsletter.providers.SmtpProvider"
        yield server
