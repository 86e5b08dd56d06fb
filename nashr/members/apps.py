from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "nashr.members"
    label = "members"
    verbose_name = "الأعضاء"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from . import signals
        from .models import Member

        post_delete.connect(signals.member_user_delete, sender=Member,
                            dispatch_uid="nashr.members.member_user_delete")
