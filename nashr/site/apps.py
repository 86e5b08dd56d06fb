from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "nashr.site"
    label = "nashr_site"
    verbose_name = "نشر"
