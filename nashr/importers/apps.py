from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "nashr.importers"
    label = "importers"
    verbose_name = "الاستيراد"
    default_auto_field = "django.db.models.BigAutoField"
