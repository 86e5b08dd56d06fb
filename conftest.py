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
