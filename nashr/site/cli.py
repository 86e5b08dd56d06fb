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
    if len(argv) > 1 and argv[1] == "serve" and not os.environ.get("NASHR_SITE_URL"):
        # Links in pages and feeds should point where `serve` listens.
        os.environ["NASHR_SITE_URL"] = _serve_url(argv[2:])
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


def _serve_url(args: list[str]) -> str:
    """``http://HOST:PORT`` from ``serve``'s ``--host``/``--port`` options
    (or ``NASHR_HOST``/``NASHR_PORT``), defaults 127.0.0.1:8000.

    >>> _serve_url(["--port", "8099"])
    'http://127.0.0.1:8099'
    >>> _serve_url(["--host=0.0.0.0", "--port=80"])
    'http://localhost'
    """
    import argparse

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--host", default=os.environ.get("NASHR_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("NASHR_PORT", "8000"))
    known, _ = parser.parse_known_args(args)
    host = "localhost" if known.host in ("0.0.0.0", "::", "") else known.host
    return f"http://{host}" + ("" if str(known.port) == "80" else f":{known.port}")


if __name__ == "__main__":  # pragma: no cover
    main()
