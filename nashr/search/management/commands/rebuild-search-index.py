"""``nashr rebuild-search-index``: index every live, public article again,
then recompute every related-articles list (unless ``--skip-related``)."""

from django.core.management.base import BaseCommand

from nashr.search.services import related_rebuild, search_index_rebuild


class Command(BaseCommand):
    help = "يعيد بناء فهرس البحث لكل المقالات المنشورة العامة، ثم قوائم المقالات ذات الصلة."

    def add_arguments(self, parser):
        parser.add_argument("--skip-related", action="store_true",
                            help="rebuild the search index only, not the related-articles lists")

    def handle(self, *args, skip_related=False, **options):
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} articles."))
        if not skip_related:
            lists = related_rebuild()
            self.stdout.write(self.style.SUCCESS(f"Computed {lists} related-articles lists."))
