"""Related articles, and on SQLite a read-only ``fts5vocab`` view of the
FTS5 index (``search_articlefts_terms``: term → number of articles holding
it), used for the document frequencies of the related-articles weighting."""

import django.db.models.deletion
from django.db import migrations, models

VOCAB_CREATE = "CREATE VIRTUAL TABLE search_articlefts_terms USING fts5vocab('search_articlefts', 'row')"
VOCAB_DROP = "DROP TABLE IF EXISTS search_articlefts_terms"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0003_articlepage_access'),
        ('search', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='RelatedArticle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.FloatField()),
                ('rank', models.PositiveSmallIntegerField()),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.articlepage')),
                ('related', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.articlepage')),
            ],
            options={
                'verbose_name': 'مقال ذو صلة',
                'verbose_name_plural': 'مقالات ذات صلة',
                'ordering': ['article', 'rank'],
                'indexes': [models.Index(fields=['article', 'rank'], name='search_related_article_rank')],
                'constraints': [models.UniqueConstraint(fields=('article', 'related'), name='search_related_unique_pair')],
            },
        ),
        migrations.RunPython(_run(VOCAB_CREATE), _run(VOCAB_DROP)),
    ]
