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


def _connect_fragment_signals() -> None:
    from .fragments import connect_fragment_signals

    connect_fragment_signals()


_connect_fragment_signals()


def _root_page_changed(sender, **kwargs) -> None:
    from nashr.site.middleware import SiteCacheMiddleware

    SiteCacheMiddleware.clear()


def connect_root_page_cache_signals() -> None:
    """The home page kept for routing article URLs
    (:class:`nashr.site.middleware.SiteCacheMiddleware`) is read again
    after any page is published, unpublished or moved in this process."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_root_page_changed, dispatch_uid="nashr-root-published")
    page_unpublished.connect(_root_page_changed, dispatch_uid="nashr-root-unpublished")
    post_page_move.connect(_root_page_changed, dispatch_uid="nashr-root-moved")


connect_root_page_cache_signals()
