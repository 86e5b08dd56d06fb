"""Hot reads whose SQL is built once per process: the compiled SQL of a
queryset (:func:`queryset_sql_cached`), and its rows read as model objects
(:func:`objects_cached`), as converted values (:func:`rows_cached`) or as the
driver gives them (:func:`_rows`). The caches here are the only copies."""

from __future__ import annotations


#: ``{key: (sql, placeholder params)}`` built by :func:`queryset_sql_cached`
_SQL_CACHE: dict[tuple, tuple[str, tuple]] = {}


def queryset_sql_cached(key: tuple, build, *values, alias: str) -> tuple[str, list]:
    """The SQL and parameters of the queryset ``build(*values)``, the SQL
    compiled once per process for ``key`` with placeholder values (each
    replaced by its real value here). For hot queries whose shape never
    changes: compiling a queryset costs more than SQLite takes to run it."""
    from django.db import connections

    placeholders = _placeholders(values)
    cached = _SQL_CACHE.get(key)
    if cached is None:
        query = build(*placeholders).query
        sql, params = query.get_compiler(connection=connections[alias]).as_sql()
        if {str(p) for p in params if type(p) in (str, int) and p in placeholders} != set(map(str, placeholders)):
            raise ValueError(f"cannot cache the SQL of {key!r}: a value is not bound as given")
        cached = _SQL_CACHE[key] = (sql, tuple(params))
    sql, params = cached
    by_placeholder = dict(zip(placeholders, values))
    return sql, [by_placeholder.get(p, p) if type(p) in (str, int) else p for p in params]


_INT_PLACEHOLDER = -7_391_004_117


def _placeholders(values) -> list:
    """A placeholder per value: a string for a string, an unlikely negative
    number for a number (an id lookup would refuse a string)."""
    return [_INT_PLACEHOLDER - i if isinstance(v, int) else f"\x00nashr-placeholder-{i}\x00"
            for i, v in enumerate(values)]


#: ``{key: (field attnames, {annotation: column index}, [(column index,
#: (converters, column))])}`` for :func:`objects_cached`
_ROW_READERS: dict[tuple, tuple] = {}


def objects_cached(model, key: tuple, build, *values, alias: str) -> list:
    """The ``model`` objects of the queryset ``build(*values)``, what
    iterating it gives (fields left out by ``only``/``defer`` deferred,
    annotations set as attributes), for a queryset of ``model`` without
    ``select_related``, ``values`` or ``extra``. Its SQL is built once per
    process for ``key`` (:func:`queryset_sql_cached`), and so is what turns
    a row into an object: which column is which field or annotation, and
    each column's conversion from the database value (dates, booleans...),
    as the ORM applies it. Raises ``ValueError`` for a queryset it cannot
    read this way."""
    names, annotations, rows = rows_cached(model, key, build, *values, alias=alias)
    width = len(names)
    found = []
    for row in rows:
        obj = model.from_db(alias, names, row[:width] if annotations else row)
        for name, pos in annotations.items():
            setattr(obj, name, row[pos])
        found.append(obj)
    return found


def rows_cached(model, key: tuple, build, *values, alias: str) -> tuple[list[str], dict[str, int], list]:
    """The rows of the ``model`` queryset ``build(*values)`` as
    :func:`objects_cached` reads them, before any object is made:
    ``(field attnames, {annotation: column index}, rows)``, each row a
    sequence whose columns are those fields (first, in that order), then the
    annotations, every value converted from the database value as the ORM
    converts it. For readers that need the values, not model instances
    (a card of an article). Same SQL cache, same errors."""
    from django.db import connections

    sql, params = queryset_sql_cached(key, build, *values, alias=alias)
    reader = _ROW_READERS.get(key)
    if reader is None:
        reader = _ROW_READERS[key] = _row_reader(model, build(*_placeholders(values)), key=key)
    names, annotations, converters = reader
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:  # as SQLCompiler.apply_converters, with this thread's connection
        rows = [list(row) for row in rows]
        for row in rows:
            for pos, (functions, expression) in converters:
                value = row[pos]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[pos] = value
    return names, annotations, rows


def _row_reader(model, queryset, *, key) -> tuple:
    """What :func:`objects_cached` needs to read ``queryset``'s rows: the
    attnames of its model columns (which come first), its annotations'
    column positions and the columns' converters."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    compiler.setup_query()
    info = compiler.klass_info or {}
    fields = info.get("select_fields", [])
    if (info.get("model") is not model or "related_klass_infos" in info and info["related_klass_infos"]
            or fields != list(range(len(fields)))
            or len(fields) + len(compiler.annotation_col_map) != len(compiler.select)):
        raise ValueError(f"cannot read {model.__name__} rows for {key!r}")
    columns = [column for column, _, _ in compiler.select]
    names = [column.target.attname for column in columns[:len(fields)]]
    return names, dict(compiler.annotation_col_map), list(compiler.get_converters(columns).items())


def _rows(key: tuple, build, *values, alias: str) -> list[tuple]:
    """The rows of the queryset ``build(*values)`` (its SQL built once per
    process, :func:`queryset_sql_cached`), as the database driver gives
    them: for ``values_list`` reads of columns that need no conversion."""
    from django.db import connections

    sql, params = queryset_sql_cached(key, build, *values, alias=alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
