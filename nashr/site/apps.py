from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "nashr.site"
    label = "nashr_site"
    verbose_name = "نشر"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from .middleware import SiteCacheMiddleware

        post_save.connect(SiteCacheMiddleware.clear, sender=Site, dispatch_uid="nashr-site-cache")
        post_delete.connect(SiteCacheMiddleware.clear, sender=Site, dispatch_uid="nashr-site-cache-del")
