from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "nashr.articles"
    label = "articles"
    verbose_name = "المقالات"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
