"""Signal receivers stay thin: they call services."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import services
from .images import NewsImage


@receiver(pre_save, sender=NewsImage)
def prefill_image_metadata(sender, instance: NewsImage, **kwargs) -> None:
    if instance._state.adding:
        services.image_prefill_from_metadata(image=instance)
        services.image_strip_location(image=instance)


@receiver(pre_save, sender="taggit.Tag")
def tag_slug_never_empty(sender, instance, **kwargs) -> None:
    """A tag made only of punctuation ("؟", "..") would get an empty slug
    from taggit and an unreachable page; give it a readable fallback."""
    if not (instance.slug or "").strip("-_"):
        instance.slug = services.tag_slug(name=instance.name, pk=instance.pk)


def _sections_changed(sender, **kwargs) -> None:
    from .selectors import sections_cache_clear

    sections_cache_clear()


def connect_section_cache_signals() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished

    from .models import SectionPage

    page_published.connect(_sections_changed, dispatch_uid="nashr-sections-published")
    page_unpublished.connect(_sections_changed, dispatch_uid="nashr-sections-unpublished")
    post_save.connect(_sections_changed, sender=SectionPage, dispatch_uid="nashr-sections-saved")
    post_delete.connect(_sections_changed, sender=SectionPage, dispatch_uid="nashr-sections-deleted")


connect_section_cache_signals()
