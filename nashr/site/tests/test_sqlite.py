"""``sqlite_reads_without_mmap`` turns memory-mapped reads off for a block
and gives each connection its own setting back. On a database file with
the site's connection settings (the test database lives in memory, where
SQLite maps nothing)."""

from __future__ import annotations

import pytest
from django.db import connections

from nashr.site.sqlite import sqlite_reads_without_mmap

pytestmark = pytest.mark.django_db  # lets connections open (the site database itself is not used)

SITE_MMAP = 134217728  # the site's setting (nashr.site.settings)


def _mmap_size(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        return int(cursor.fetchone()[0])


@pytest.fixture
def file_db(tmp_path, monkeypatch):
    """A connection to a SQLite file with the site's settings, standing for
    the site's connections."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("a SQLite setting")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper({**connections["default"].settings_dict, "NAME": str(tmp_path / "site.sqlite3")},
                              alias="mmap-test")
    monkeypatch.setattr(connections, "all", lambda initialized_only=False: [wrapper])
    yield wrapper
    wrapper.close()


def test_mapping_is_off_inside_and_back_after(file_db):
    assert _mmap_size(file_db) == SITE_MMAP
    with sqlite_reads_without_mmap():
        assert _mmap_size(file_db) == 0
    assert _mmap_size(file_db) == SITE_MMAP


def test_a_connection_opened_inside_reads_without_mapping_too(file_db):
    assert file_db.connection is None
    with sqlite_reads_without_mmap():
        assert _mmap_size(file_db) == 0  # opened here: its init_command mapped 128 MB, then turned off
    assert _mmap_size(file_db) == SITE_MMAP


def test_setting_back_even_when_the_block_raises(file_db):
    file_db.ensure_connection()
    with pytest.raises(RuntimeError), sqlite_reads_without_mmap():
        assert _mmap_size(file_db) == 0
        raise RuntimeError("boom")
    assert _mmap_size(file_db) == SITE_MMAP


def test_a_connection_another_thread_opens_meanwhile_is_left_alone(file_db, tmp_path):
    """The signal that tells of new connections is the process's: another
    thread's connection keeps the site's setting, and leaving the block does
    not touch it (a connection may only be used by its own thread)."""
    import threading

    from django.db.backends.sqlite3.base import DatabaseWrapper

    seen = {}

    def other_thread():
        wrapper = DatabaseWrapper({**file_db.settings_dict, "NAME": str(tmp_path / "other.sqlite3")}, alias="other")
        seen["size"] = _mmap_size(wrapper)
        seen["wrapper"] = wrapper

    with sqlite_reads_without_mmap():
        assert _mmap_size(file_db) == 0
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert seen["size"] == SITE_MMAP
    assert _mmap_size(file_db) == SITE_MMAP
    seen["wrapper"].inc_thread_sharing()  # closed here, by this thread
    seen["wrapper"].close()
