"""Writing many rows of one table fast, for bulk jobs (the WordPress import).

Django's ``bulk_create`` builds the SQL of every value of every row in
Python (a few microseconds each); for tens of thousands of rows whose ids
are never read back — history entries, mapping rows, redirects, index rows —
one prepared ``INSERT`` run by the driver's ``executemany`` writes the same
rows in a fraction of the time. Rows whose ids are needed (pages, revisions,
comments a reply points to) are written by :func:`create_rows`: multi-row
``INSERT … RETURNING`` as ``bulk_create`` sends, its SQL assembled once per
batch instead of value by value.
"""

from __future__ import annotations

from django.db import connections, router, transaction
from django.db.models.constants import OnConflict

__all__ = ["create_rows", "insert_rows", "update_rows"]


def insert_rows(model, objs: list, *, ignore_conflicts: bool = False, own_table: bool = False) -> int:
    """INSERT ``objs`` (unsaved instances of ``model``) as ``bulk_create``
    would store them, in one ``executemany``, and return how many were sent.

    The same values as ``bulk_create``: each field's ``pre_save(obj,
    add=True)`` (so ``auto_now_add`` and defaults apply) then
    ``get_db_prep_save``. Unlike ``bulk_create``, the instances get no
    primary key back and stay "adding": use it only for rows nobody reads
    back in the same job. ``ignore_conflicts``: rows that break a unique
    constraint are skipped (``INSERT OR IGNORE`` on SQLite, ``ON CONFLICT DO
    NOTHING`` on PostgreSQL), as with ``bulk_create(ignore_conflicts=True)``.

    ``own_table``: for a model with parent tables (multi-table
    inheritance), write only its own table's rows, for objects whose parent
    rows exist and whose parent link is set. Without it, raises
    ``ValueError`` for such a model (its rows span several tables). Raises
    whatever the database raises for a bad row (the whole statement then
    fails, nothing of it is kept inside a transaction).
    """
    if not objs:
        return 0
    meta = model._meta
    if meta.parents and not own_table:
        raise ValueError(f"{meta.label} has parent tables; insert_rows writes one table")
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [f for f in meta.local_concrete_fields
              if not (f.primary_key and getattr(f, "db_returning", False) and all(getattr(o, f.attname) is None
                                                                                   for o in objs))]
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = "{} {} ({}) VALUES ({}) {}".format(
        connection.ops.insert_statement(on_conflict=on_conflict), quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)),
        connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if on_conflict else "",
    ).rstrip()
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


#: Most values one statement of :func:`create_rows` sends where the backend
#: sets no lower limit (PostgreSQL's protocol allows 65,535 per statement;
#: SQLite's own limit is the backend's ``bulk_batch_size``).
CREATE_MAX_PARAMS = 30_000


def create_rows(model, objs: list) -> int:
    """INSERT ``objs`` (unsaved instances of ``model`` without a primary
    key) as ``bulk_create(objs)`` stores them, and set each object's primary
    key and saved state as it does; return how many were written.

    The same values as ``bulk_create`` (each field's ``pre_save(obj,
    add=True)``, then ``get_db_prep_save``), in the same batches
    (``bulk_batch_size`` of the backend: 999 values a statement on SQLite,
    at most :data:`CREATE_MAX_PARAMS` elsewhere), one multi-row ``INSERT …
    RETURNING`` per batch whose returned ids are given to the objects in
    order, as ``bulk_create`` does. A backend that cannot return the rows
    of a multi-row insert gets ``bulk_create`` itself. Related objects must
    be saved and their ids set on ``objs`` (``obj.author_id``): nothing is
    fetched or saved here. Values must be plain values, not query
    expressions (``F()``, ``Now()``, a ``db_default``); generated columns
    are left to the database and not read back.

    Raises ``ValueError`` for a model with parent tables or an object that
    has a primary key already, and whatever the database raises for a bad
    row; then nothing of any batch is kept (one transaction for all, as
    ``bulk_create``).
    """
    if not objs:
        return 0
    meta = model._meta
    if meta.parents:
        raise ValueError(f"{meta.label} has parent tables; create_rows writes one table")
    pk = meta.pk
    if any(getattr(obj, pk.attname) is not None for obj in objs):
        raise ValueError(f"create_rows writes new {meta.label} rows: an object has a primary key")
    using = router.db_for_write(model)
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        model._base_manager.using(using).bulk_create(objs)
        return len(objs)
    fields = [f for f in meta.local_concrete_fields if f is not pk and not getattr(f, "generated", False)]
    quote = connection.ops.quote_name
    head = "{} {} ({}) VALUES ".format(connection.ops.insert_statement(on_conflict=None), quote(meta.db_table),
                                       ", ".join(quote(f.column) for f in fields))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning, returning_params = connection.ops.return_insert_columns([pk])
    batch = max(1, min(connection.ops.bulk_batch_size(fields, objs), CREATE_MAX_PARAMS // max(1, len(fields))))
    # all batches or none, as bulk_create (inside a caller's transaction: no savepoint)
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in chunk for f in fields]
            cursor.execute(f"{head}{', '.join([one] * len(chunk))} {returning}", [*params, *returning_params])
            ids = connection.ops.fetch_returned_insert_rows(cursor)
            if len(ids) != len(chunk):
                raise RuntimeError(f"{meta.db_table}: {len(chunk)} rows inserted, {len(ids)} ids returned")
            for obj, row in zip(chunk, ids):
                setattr(obj, pk.attname, row[0])
                obj._state.adding = False
                obj._state.db = using
    return len(objs)


def update_rows(model, objs: list, fields: list[str]) -> int:
    """UPDATE the columns of ``fields`` (field names; a foreign key by its
    name, e.g. ``"live_revision"``) of saved ``objs`` of ``model`` from
    their attributes, one row per object by primary key, in one
    ``executemany``: what ``bulk_update(objs, fields)`` stores, without its
    ``CASE WHEN`` per row. Each value goes through the field's
    ``get_db_prep_save``. Returns how many rows were sent. Raises
    ``ValueError`` for a field of a parent table (``fields`` must be
    ``model``'s own columns) and whatever the database raises."""
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    for field in targets:
        if field.model is not model or not field.concrete or field.primary_key:
            raise ValueError(f"{meta.label}.{field.name} is not a column of {meta.db_table} that can be updated")
    if not objs:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in targets), quote(meta.pk.column))
    rows = [[*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in targets),
             meta.pk.get_db_prep_value(obj.pk, connection)] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
