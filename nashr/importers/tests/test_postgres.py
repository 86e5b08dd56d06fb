"""The import tests on PostgreSQL: the bulk writer's raw INSERT of the
article rows, its tree paths and its ``bulk_create``/``bulk_update`` calls
must store the same pages there as on SQLite.

When the test run itself uses PostgreSQL (``DATABASE_URL=postgres://…``)
these modules already ran there and this test is skipped. Otherwise, with a
server answering on 127.0.0.1:5432 (user ``postgres``, no password), they
run again in a child pytest with ``DATABASE_URL`` pointing at it (as
``nashr/search/tests/test_postgres.py`` does for search); without one the
test is skipped with the reason, unless ``NASHR_REQUIRE_POSTGRES=1``.

    NASHR_REQUIRE_POSTGRES=1 pytest -q nashr/importers/tests/test_postgres.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from django.db import connection

from nashr.search.tests.test_postgres import HOST, PORT, ROOT, USER, _reachable

MODULES = [
    "nashr/importers/tests/test_bulk.py",
    "nashr/importers/tests/test_import.py",
]


def test_import_suite_passes_on_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("this run already uses PostgreSQL: the import tests ran on it directly")
    reason = _reachable()
    if reason:
        if os.environ.get("NASHR_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (NASHR_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    with tempfile.TemporaryDirectory(prefix="nashr-pg-") as data_dir:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{USER}@{HOST}:{PORT}/nashr_import_pg_{os.getpid()}",
            "NASHR_DATA_DIR": data_dir,
        }
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *MODULES],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
        )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    assert result.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail.splitlines()[-1], tail
