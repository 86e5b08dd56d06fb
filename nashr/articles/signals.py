"""Signal receivers stay thin: they call services."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import services
from .images import NewsImage


@receiver(pre_save, sender=NewsImage)
def prefill_image_metadata(sender, instance: NewsImage, **kwargs) -> None:
    if instance._state.adding:
        services.image_prefill_from_metadata(image=instance)
