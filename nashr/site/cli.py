"""The ``nashr`` command: any Django management command (``nashr migrate``,
``nashr createsuperuser``...), plus Nashr's own (``nashr serve``)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nashr.site.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "nashr"
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
