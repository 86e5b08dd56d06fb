"""``nashr import-wordpress``: the documented spelling of
:mod:`.import_wordpress` (same command)."""

from .import_wordpress import Command  # noqa: F401
