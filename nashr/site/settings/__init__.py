"""Nashr settings: everything lives in :mod:`nashr.site.settings.base`; the
environment decides the rest (see the table in README.md)."""

from .base import *  # noqa: F401,F403
