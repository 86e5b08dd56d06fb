"""The same search, relevance and related-articles tests on PostgreSQL.

When the test run itself uses PostgreSQL (``DATABASE_URL=postgres://…``),
every search test already runs there and this module is skipped. Otherwise
it checks that a server answers on 127.0.0.1:5432 (user ``postgres``, no
password) and runs those test modules again in a child pytest with
``DATABASE_URL`` pointing at it; pytest-django creates the test database
(``test_nashr_search_pg_<pid>``) and drops it at the end. No server: the test
is skipped with the reason, unless ``NASHR_REQUIRE_POSTGRES=1``, where that
is a failure.

    NASHR_REQUIRE_POSTGRES=1 pytest -q nashr/search/tests/test_postgres.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
ROOT = Path(__file__).resolve().parents[3]
MODULES = [
    "nashr/search/tests/test_relevance.py",
    "nashr/search/tests/test_filters.py",
    "nashr/search/tests/test_related.py",
    "nashr/search/tests/test_search.py",
]


def _reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 (any failure to connect means: not available)
        return f"PostgreSQL not reachable on {HOST}:{PORT} as {USER} ({exc.__class__.__name__}: {exc})"
    return None


def run_on_postgresql(*, modules: list[str], what: str) -> None:
    """Run the test ``modules`` again in a child pytest whose
    ``DATABASE_URL`` points at a new database ``nashr_<what>_pg_<pid>`` on
    the local server; fails with the child's last 40 lines when any test
    fails. Skips when this run already uses PostgreSQL, or when no server
    answers (fails instead with ``NASHR_REQUIRE_POSTGRES=1``)."""
    if connection.vendor == "postgresql":
        pytest.skip(f"this run already uses PostgreSQL: the {what} tests ran on it directly")
    reason = _reachable()
    if reason:
        if os.environ.get("NASHR_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (NASHR_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    with tempfile.TemporaryDirectory(prefix="nashr-pg-") as data_dir:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{USER}@{HOST}:{PORT}/nashr_{what}_pg_{os.getpid()}",
            "NASHR_DATA_DIR": data_dir,
        }
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *modules],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
        )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    assert result.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail.splitlines()[-1], tail


def test_search_suite_passes_on_postgresql():
    run_on_postgresql(modules=MODULES, what="search")
