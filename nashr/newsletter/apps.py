from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "nashr.newsletter"
    label = "newsletter"
    verbose_name = "النشرة البريدية"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from . import bounce_signals  # noqa: F401
