"""The index table, and on SQLite its FTS5 mirror with sync triggers.

On other databases the FTS part is a no-op: search falls back to a simple
``icontains`` over the key columns there until the PostgreSQL backend lands.
"""

import django.db.models.deletion
from django.db import migrations, models

FTS_CREATE = [
    # Column order matters: bm25() weights in selectors follow it.
    "CREATE VIRTUAL TABLE search_articlefts USING fts5("
    " title_keys, standfirst_keys, tags_keys, body_keys,"
    " content='search_articlesearchentry', content_rowid='article_id',"
    " tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_articlefts_ai AFTER INSERT ON search_articlesearchentry BEGIN"
    " INSERT INTO search_articlefts(rowid, title_keys, standfirst_keys, tags_keys, body_keys)"
    " VALUES (new.article_id, new.title_keys, new.standfirst_keys, new.tags_keys, new.body_keys); END",
    "CREATE TRIGGER search_articlefts_ad AFTER DELETE ON search_articlesearchentry BEGIN"
    " INSERT INTO search_articlefts(search_articlefts, rowid, title_keys, standfirst_keys, tags_keys, body_keys)"
    " VALUES ('delete', old.article_id, old.title_keys, old.standfirst_keys, old.tags_keys, old.body_keys); END",
    "CREATE TRIGGER search_articlefts_au AFTER UPDATE ON search_articlesearchentry BEGIN"
    " INSERT INTO search_articlefts(search_articlefts, rowid, title_keys, standfirst_keys, tags_keys, body_keys)"
    " VALUES ('delete', old.article_id, old.title_keys, old.standfirst_keys, old.tags_keys, old.body_keys);"
    " INSERT INTO search_articlefts(rowid, title_keys, standfirst_keys, tags_keys, body_keys)"
    " VALUES (new.article_id, new.title_keys, new.standfirst_keys, new.tags_keys, new.body_keys); END",
]
FTS_DROP = [
    "DROP TRIGGER IF EXISTS search_articlefts_au",
    "DROP TRIGGER IF EXISTS search_articlefts_ad",
    "DROP TRIGGER IF EXISTS search_articlefts_ai",
    "DROP TABLE IF EXISTS search_articlefts",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleSearchEntry",
            fields=[
                ("article", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="+",
                    serialize=False, to="articles.articlepage")),
                ("title_exact", models.TextField(blank=True)),
                ("title_keys", models.TextField(blank=True)),
                ("standfirst_keys", models.TextField(blank=True)),
                ("tags_keys", models.TextField(blank=True)),
                ("body_keys", models.TextField(blank=True)),
                ("indexed_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "مدخل فهرس البحث", "verbose_name_plural": "فهرس البحث"},
        ),
        migrations.RunPython(_run(FTS_CREATE), _run(FTS_DROP)),
    ]
