"""Template filters and tags for Arabic pages: dates (CLDR via Babel, by the
``NASHR_DATE_REGION`` setting), digits, bidi isolation of Latin runs, reading
time and responsive images."""

from __future__ import annotations

import datetime
import html
from functools import lru_cache

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from nashr import arabic

register = template.Library()


def _local(value):
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value)
    return value


@register.filter
def ar_date(value) -> str:
    """``5 أكتوبر 2026`` (or ``5 تشرين الأول 2026`` for a Levant region)."""
    if not value:
        return ""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        value = value.date()  # what format_date shows of a datetime
    if type(value) is not datetime.date:
        return arabic.format_date(value, region=settings.NASHR_DATE_REGION, digits=settings.NASHR_DIGITS)
    return _format_date(value, settings.NASHR_DATE_REGION, settings.NASHR_DIGITS)


@lru_cache(maxsize=4096)
def _format_date(day, region: str, digits: str) -> str:
    """:func:`nashr.arabic.format_date`, kept per process for each day,
    region and digits: an article page shows a dozen dates, and Babel
    takes longer to format one than to look it up here."""
    return arabic.format_date(day, region=region, digits=digits)


@register.filter
def ar_datetime(value) -> str:
    if not value:
        return ""
    return arabic.format_datetime(
        _local(value), region=settings.NASHR_DATE_REGION, digits=settings.NASHR_DIGITS,
        tz=settings.TIME_ZONE,
    )


@register.filter
def hijri_date(value) -> str:
    if not value or not settings.NASHR_SHOW_HIJRI:
        return ""
    try:
        return arabic.format_hijri(_local(value), digits=settings.NASHR_DIGITS)
    except ValueError:
        return ""


@register.filter
def absolute_url(page) -> str:
    """``NASHR_SITE_URL`` + the page's path."""
    from nashr.articles.selectors import page_absolute_url

    return page_absolute_url(page)


@register.filter
def digits(value) -> str:
    return arabic.apply_digits(str(value), settings.NASHR_DIGITS)


@register.filter
def ltr(value) -> str:
    """Escape plain text, drop scoped bidi controls, and isolate its Latin
    runs in ``<bdi dir="ltr">``."""
    return SafeString(arabic.isolate_ltr(arabic.strip_bidi_controls(str(value or ""))))


@register.filter
def bidi_clean(value) -> str:
    """Plain text without scoped bidi controls (for ``<title>`` and
    attributes, which cannot hold ``<bdi>``); still auto-escaped."""
    return arabic.strip_bidi_controls(str(value or ""))


@register.filter
def ltr_html(value) -> str:
    """Isolate Latin runs in an already-safe HTML fragment (rich text)."""
    return SafeString(arabic.isolate_ltr_html(str(value or "")))


@register.filter
def safe_richtext(value) -> str:
    """Wagtail's rich text expanded (internal links and images), then
    sanitised with an allow-list (:func:`nashr.articles.sanitise.clean_html`).
    A malformed internal reference (say ``id="abc"`` from an import) does not
    break the page: the stored HTML is sanitised as it is."""
    from wagtail.rich_text import expand_db_html

    from nashr.articles.sanitise import clean_html

    source = str(getattr(value, "source", value) or "")
    html = source
    # Wagtail's expansion rewrites only <a …> and <embed …/> tags: text
    # without either comes out as it went in.
    if "<a" in source or "<embed" in source:
        try:
            html = expand_db_html(source)
        except (ValueError, OverflowError, TypeError, LookupError):
            html = source
    return SafeString(clean_html(html))


@register.filter
def safe_url(value) -> str:
    from nashr.articles.sanitise import safe_url as _safe_url

    return _safe_url(str(value or ""))


@register.filter
def xml_text(value) -> str:
    from nashr.articles.sanitise import xml_text as _xml_text

    return _xml_text(str(value or ""))


@register.filter
def reading_time(minutes: int) -> str:
    return arabic.format_reading_time(int(minutes or 0), digits=settings.NASHR_DIGITS)


@register.simple_tag
def picture(image, specs: str, sizes: str, css_class: str = "", eager: bool = False, alt=None):
    """A responsive ``<img>``: ``srcset`` from the comma-separated rendition
    ``specs`` (e.g. ``"width-480,width-800"``), explicit width and height so
    nothing shifts while loading, lazy loading unless ``eager``. Renditions
    come from the image's prefetched set when present (no extra query)."""
    from nashr.articles.images import rendition_filters, rendition_url

    if image is None:
        return ""
    renditions = image.get_renditions(*rendition_filters(specs))
    ordered = sorted(renditions.values(), key=lambda r: r.width)
    largest = ordered[-1]
    urls = [rendition_url(r) for r in ordered]
    srcset = ", ".join(f"{url} {r.width}w" for url, r in zip(urls, ordered))
    # what format_html gives for this markup: every value escaped unless safe
    e = _escape
    loading = ' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'
    css = f' class="{e(css_class)}"' if css_class else ""
    return SafeString(
        f'<img src="{e(urls[-1] if eager else urls[0])}" srcset="{e(srcset)}" sizes="{e(sizes)}" '
        f'width="{e(largest.width)}" height="{e(largest.height)}" '
        f'alt="{e(image.alt_text if alt is None else alt)}"{loading}{css}>')


def _escape(value) -> str:
    """``conditional_escape``: a plain ``str`` as Django's ``escape`` does
    it (``html.escape``), without its lazy-string checks."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


@register.simple_tag
def now_ar() -> str:
    """Today's date in the site's time zone, Arabic (and Hijri when enabled)."""
    today = timezone.localdate()
    text = ar_date(today)
    hijri = hijri_date(today)
    return f"{text} — {hijri}" if hijri else text


class FragmentNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        fragments = context.get("fragments")
        if fragments is None:
            return self.nodelist.render(context)
        return fragments.render(self.name, lambda: self.nodelist.render(context))


@register.tag("fragment")
def fragment(parser, token):
    """``{% fragment "top" %}…{% endfragment %}``: the enclosed HTML comes
    from the article page's fragment cache when it is there (``fragments``
    in the context, :mod:`nashr.articles.fragments`), else it is rendered
    and stored. Without ``fragments`` in the context it is simply rendered.
    Raises ``TemplateSyntaxError`` unless given one quoted name from
    :data:`~nashr.articles.fragments.FRAGMENT_NAMES`."""
    from nashr.articles.fragments import FRAGMENT_NAMES

    bits = token.split_contents()
    if len(bits) != 2 or bits[1][:1] not in "\"'" or bits[1][-1:] != bits[1][:1]:
        raise template.TemplateSyntaxError('usage: {% fragment "name" %}…{% endfragment %}')
    name = bits[1][1:-1]
    if name not in FRAGMENT_NAMES:
        raise template.TemplateSyntaxError(f"unknown fragment {name!r}; known: {', '.join(FRAGMENT_NAMES)}")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(name, nodelist)


@register.simple_tag(takes_context=True)
def nav_url(context, section) -> str:
    """``{% pageurl section %}`` for the section navigation, worked out once
    per section object and site: the live sections are kept per process
    (:func:`nashr.articles.selectors.sections_for_request`), so the header
    and footer of every page reuse the answer instead of asking Wagtail
    twelve times per page."""
    return section_url(section, request=context.get("request"))


def section_url(section, *, request) -> str:
    """:func:`nav_url` outside a template: ``section.get_url(request)``
    (``""`` when not routable), kept on the section object per site."""
    site = getattr(request, "_wagtail_site", None)
    memo = section.__dict__.setdefault("_nashr_nav_urls", {})
    key = getattr(site, "pk", None)
    url = memo.get(key)
    if url is None:
        url = memo[key] = section.get_url(request=request) or ""
    return url


@register.simple_tag(takes_context=True)
def body_block(context, block):
    """``{% body_block block %}``: what ``{% include_block block %}``
    renders for a block of an article body, built in Python
    (:func:`nashr.articles.body_html.body_block_html`)."""
    from nashr.articles.body_html import body_block_html

    return body_block_html(block, context=context)


@register.simple_tag
def block_html(block_type: str, value):
    """``{% block_html "paragraph" value %}``: the markup of a body block of
    type ``block_type`` (:data:`nashr.articles.body_html.RENDERERS`), for the
    block templates. Raises ``KeyError`` for a type without a renderer."""
    from nashr.articles.body_html import RENDERERS

    return RENDERERS[block_type](value)


@register.simple_tag
def figcaption(image, caption):
    """``{% figcaption image caption %}``: an image's caption and credit
    (:func:`nashr.articles.body_html.figcaption_html`)."""
    from nashr.articles.body_html import figcaption_html

    return figcaption_html(image=image, caption=caption)


@register.simple_tag(takes_context=True)
def article_head(context):
    """``{% article_head %}``: the article page's meta tags and JSON-LD
    (:func:`nashr.articles.page_html.article_head_html`)."""
    from nashr.articles.page_html import article_head_html

    return article_head_html(context)


@register.simple_tag(takes_context=True)
def article_top(context):
    """``{% article_top %}``: the article header, lead image and body
    (:func:`nashr.articles.page_html.article_top_html`)."""
    from nashr.articles.page_html import article_top_html

    return article_top_html(context)


@register.simple_tag(takes_context=True)
def article_footer(context):
    """``{% article_footer %}``: the article footer
    (:func:`nashr.articles.page_html.article_footer_html`)."""
    from nashr.articles.page_html import article_footer_html

    return article_footer_html(context)


@register.simple_tag
def asset(path: str) -> str:
    """``{% asset "nashr/nashr.css" %}``: ``{% static %}``'s URL for a
    static file, worked out once per process for each path (it depends
    only on the path and the static files settings; a change of those
    settings, as tests make, forgets them)."""
    return _static_url(str(path))


@lru_cache(maxsize=256)
def _static_url(path: str) -> str:
    from django.templatetags.static import static

    return static(path)


def _static_settings_changed(*, setting, **kwargs) -> None:
    if setting in ("STATIC_URL", "STORAGES", "STATIC_ROOT", "STATICFILES_STORAGE", "FORCE_SCRIPT_NAME"):
        _static_url.cache_clear()


def _connect_static_settings() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_static_settings_changed, dispatch_uid="nashr-asset-urls")


_connect_static_settings()


@register.simple_tag
def route(name: str, *args) -> str:
    """``{% route "comments:post" %}``, ``{% route "comments:article_feed" pk %}``:
    ``{% url %}``'s answer for a route with no argument or one ``int`` or
    ``str`` (:func:`nashr.articles.page_urls.route_url`, the route's text
    worked out once per process). Raises ``NoReverseMatch`` as ``{% url %}``
    does."""
    from nashr.articles.page_urls import route_url

    return route_url(name, *args)
