from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "nashr.members"
    label = "members"
    verbose_name = "الأعضاء"
    default_auto_field = "django.db.models.BigAutoField"
