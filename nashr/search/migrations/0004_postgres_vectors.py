"""On PostgreSQL: the full-text columns of the index, generated from the key
columns with the ``simple`` configuration (the keys are already folded and
stemmed by Nashr, so PostgreSQL must not stem them again), weighted
A (title) B (standfirst) C (tags) D (body), with a GIN index; and the exact
column's vector. Generated columns keep them in step with every write, as
the FTS5 triggers do on SQLite. Elsewhere this migration does nothing."""

from django.db import migrations

PG_CREATE = [
    "ALTER TABLE search_articlesearchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('simple'::regconfig, coalesce(title_keys, '')), 'A') ||"
    " setweight(to_tsvector('simple'::regconfig, coalesce(standfirst_keys, '')), 'B') ||"
    " setweight(to_tsvector('simple'::regconfig, coalesce(tags_keys, '')), 'C') ||"
    " setweight(to_tsvector('simple'::regconfig, coalesce(body_keys, '')), 'D')) STORED",
    "ALTER TABLE search_articlesearchentry ADD COLUMN exact_vector tsvector GENERATED ALWAYS AS ("
    " to_tsvector('simple'::regconfig, coalesce(exact_keys, ''))) STORED",
    "CREATE INDEX search_entry_vector_gin ON search_articlesearchentry USING gin (search_vector)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "ALTER TABLE search_articlesearchentry DROP COLUMN IF EXISTS exact_vector",
    "ALTER TABLE search_articlesearchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_exact_column"),
    ]

    operations = [
        migrations.RunPython(_run(PG_CREATE), _run(PG_DROP)),
    ]
