"""SQLite settings a long job changes for itself.

The site's connections map up to 128 MB of the database file into the
process (``PRAGMA mmap_size``, see ``nashr.site.settings``): page reads
then cost no system call. A job that reads most of a large database once —
a WordPress import, the related-articles lists of tens of thousands of
articles — would only make its resident size grow with the database that
way (every page it touches stays mapped in), without reading any faster
than through the operating system's page cache.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

__all__ = ["sqlite_reads_without_mmap"]


@contextmanager
def sqlite_reads_without_mmap():
    """While the block runs, every SQLite connection of this thread — those
    open now and those opened meanwhile — reads the database with ``pread``
    instead of mapping it (``PRAGMA mmap_size=0``, SQLite's "Memory-Mapped
    I/O"); afterwards each connection still open gets its previous
    ``mmap_size`` back. Other database backends are left alone. Yields
    nothing; raises what the database raises."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    changed: list[tuple[object, int]] = []

    def off(connection) -> None:
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            row = cursor.fetchone()
            cursor.execute("PRAGMA mmap_size=0")
        changed.append((connection, int(row[0]) if row else 0))

    me = threading.get_ident()

    def on_created(sender, connection, **kwargs) -> None:
        # the signal is the process's: a connection another thread opens
        # meanwhile is that thread's to set (and only it may use it)
        if getattr(connection, "_thread_ident", me) == me:
            off(connection)

    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            off(connection)
    connection_created.connect(on_created)
    try:
        yield
    finally:
        connection_created.disconnect(on_created)
        for connection, size in changed:
            if connection.connection is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA mmap_size={size}")
