"""pytest configuration for ``nashr.arabic``.

The package is pure text code: it never reads Django settings or media. The
project-wide ``conftest.py`` gives every test an autouse ``_media_root``
fixture that needs pytest-django's ``settings``; overriding it here with a
no-op lets ``python -m pytest --doctest-modules nashr/arabic -p no:django``
run these tests (and doctests) without Django, while ``pytest nashr/arabic``
with pytest-django active works the same way.
"""

import pytest


@pytest.fixture(autouse=True)
def _media_root():
    """No media directory: nothing in ``nashr.arabic`` touches files."""


@pytest.fixture(autouse=True)
def _empty_cache():
    """No cache either: nothing in ``nashr.arabic`` uses one."""
