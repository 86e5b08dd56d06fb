"""The *exact* column: words as written, so that an exact match ranks above
a folded or stemmed one. On SQLite the FTS5 table gains the column (it is
made again with its triggers and vocabulary table, then rebuilt from the
content table). Rows indexed before this migration have an empty exact
column until ``nashr rebuild-search-index`` or their next publish."""

from django.db import migrations, models

COLUMNS = "title_keys, standfirst_keys, tags_keys, body_keys, exact_keys"

DROP = [
    "DROP TABLE IF EXISTS search_articlefts_terms",
    "DROP TRIGGER IF EXISTS search_articlefts_au",
    "DROP TRIGGER IF EXISTS search_articlefts_ad",
    "DROP TRIGGER IF EXISTS search_articlefts_ai",
    "DROP TABLE IF EXISTS search_articlefts",
]


def _create(columns: str) -> list[str]:
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    return [
        # Column order matters: bm25() weights in selectors follow it.
        f"CREATE VIRTUAL TABLE search_articlefts USING fts5({columns},"
        " content='search_articlesearchentry', content_rowid='article_id',"
        " tokenize='unicode61 remove_diacritics 0')",
        "CREATE TRIGGER search_articlefts_ai AFTER INSERT ON search_articlesearchentry BEGIN"
        f" INSERT INTO search_articlefts(rowid, {columns}) VALUES (new.article_id, {new}); END",
        "CREATE TRIGGER search_articlefts_ad AFTER DELETE ON search_articlesearchentry BEGIN"
        f" INSERT INTO search_articlefts(search_articlefts, rowid, {columns})"
        f" VALUES ('delete', old.article_id, {old}); END",
        "CREATE TRIGGER search_articlefts_au AFTER UPDATE ON search_articlesearchentry BEGIN"
        f" INSERT INTO search_articlefts(search_articlefts, rowid, {columns})"
        f" VALUES ('delete', old.article_id, {old});"
        f" INSERT INTO search_articlefts(rowid, {columns}) VALUES (new.article_id, {new}); END",
        "CREATE VIRTUAL TABLE search_articlefts_terms USING fts5vocab('search_articlefts', 'row')",
        "INSERT INTO search_articlefts(search_articlefts) VALUES ('rebuild')",
    ]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_related_articles"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlesearchentry",
            name="exact_keys",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(
            _run(DROP + _create(COLUMNS)),
            _run(DROP + _create("title_keys, standfirst_keys, tags_keys, body_keys")),
        ),
    ]
