from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "nashr.search"
    label = "search"
    verbose_name = "البحث"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals

        signals.connect()
