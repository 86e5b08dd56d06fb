"""``nashr rebuild-search-index``: index every live, public article again."""

from django.core.management.base import BaseCommand

from nashr.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "يعيد بناء فهرس البحث لكل المقالات المنشورة العامة."

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} articles."))
