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

from nashr.search.tests.test_postgres import run_on_postgresql

MODULES = [
    "nashr/importers/tests/test_bulk.py",
    "nashr/importers/tests/test_import.py",
]


def test_import_suite_passes_on_postgresql():
    run_on_postgresql(modules=MODULES, what="import")
