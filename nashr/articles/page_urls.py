"""Page URLs as Wagtail gives them, without a URL reverse per page.

``Page.get_url`` reverses Wagtail's ``wagtail_serve`` route for every page
it is asked about, and an article page shows a dozen page URLs (canonical
link, JSON-LD, related-article cards). That route takes the page's path
below its site's root page as its one argument; the reversed URL is the
route's mount point followed by that path percent-encoded. The mount point
is reversed once per process (and script prefix); the rest is done here.

Every function gives exactly Wagtail's answer: whenever a case is not the
plain one (a page model with its own ``get_url_parts``, Wagtail's i18n,
``WAGTAIL_APPEND_SLASH`` off, a page under more than one site, a path the
route would not take), Wagtail is asked instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings

from .cards import ArticleCard

#: Wagtail's ``wagtail_serve`` route with ``WAGTAIL_APPEND_SLASH`` (the
#: default): slash-terminated segments of word characters and hyphens.
_SERVE_PATH = re.compile(r"(?:[\w\-]+/)*")
#: The characters Django's ``reverse`` leaves unencoded in a path (RFC 3986
#: ``pchar``: sub-delims and ``/~:@``).
_PATH_SAFE = "!$&'()*+,;=" + "/~:@"
_PROBE = "nashr-probe/"
#: ``{script prefix: the route's mount point, or None when it cannot be used}``
_MOUNTS: dict[str, str | None] = {}


def _mount_point() -> str | None:
    """What ``reverse("wagtail_serve", args=(path,))`` puts before the
    encoded ``path`` (``"/"`` with Wagtail's URLs at the root), or None."""
    from django.urls import NoReverseMatch, get_script_prefix, reverse

    script = get_script_prefix()
    try:
        return _MOUNTS[script]
    except KeyError:
        pass
    try:
        probe = reverse("wagtail_serve", args=(_PROBE,))
    except NoReverseMatch:
        mount = None
    else:
        mount = probe[:-len(_PROBE)] if probe.endswith("/" + _PROBE) else None
        if mount is not None and quote(mount, safe=_PATH_SAFE) != mount:
            mount = None
    _MOUNTS[script] = mount
    return mount


def _urls_changed(*, setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "WAGTAIL_APPEND_SLASH", "WAGTAIL_I18N_ENABLED"):
        _MOUNTS.clear()
        _ROUTE_SPLITS.clear()


def plain_page_class(cls) -> bool:
    """Whether pages of class ``cls`` get their URLs by Wagtail's own rules
    (no ``get_url_parts``/``get_url`` of their own, no i18n, slash-ended
    URLs): the case worked out here."""
    from wagtail.models import Page

    return (cls is not None and cls.get_url_parts is Page.get_url_parts and cls.get_url is Page.get_url
            and not getattr(settings, "WAGTAIL_I18N_ENABLED", False)
            and getattr(settings, "WAGTAIL_APPEND_SLASH", True))


def _plain(page) -> bool:
    """:func:`plain_page_class` of the page (of its ``page_class`` for an
    :class:`~nashr.articles.cards.ArticleCard`)."""
    cls = type(page)
    return plain_page_class(page.page_class if cls is ArticleCard else cls)


_ASK_WAGTAIL = object()


def _url_parts(page, request):
    """``page.get_url_parts(request)`` for the plain case, else
    :data:`_ASK_WAGTAIL`."""
    if not _plain(page):
        return _ASK_WAGTAIL
    possible = page._get_relevant_site_root_paths(request)
    if not possible:
        return None
    site_id, root_path, root_url, _language = possible[0]
    if any(values[0] != site_id for values in possible):
        return _ASK_WAGTAIL
    relative = page.url_path[len(root_path):]
    mount = _mount_point()
    if mount is None or not _SERVE_PATH.fullmatch(relative):
        return _ASK_WAGTAIL
    return site_id, root_url, mount + _quoted_path(relative)


@lru_cache(maxsize=8192)
def _quoted_path(relative: str) -> str:
    """``relative`` percent-encoded as ``reverse`` encodes a path (kept per
    process: an Arabic slug takes longer to encode than to look up, and a
    page shows the same article URLs again and again)."""
    return quote(relative, safe=_PATH_SAFE)


def page_url_parts(page, *, request=None):
    """``page.get_url_parts(request=request)``: ``(site id, site root URL,
    path)``, or None when the page is under no site."""
    parts = _url_parts(page, request)
    return _wagtail_page(page).get_url_parts(request=request) if parts is _ASK_WAGTAIL else parts


def _wagtail_page(page):
    """The page itself, or for an :class:`~nashr.articles.cards.ArticleCard`
    its page read from the database (one query), for Wagtail to answer."""
    return page.page_class.objects.get(pk=page.id) if type(page) is ArticleCard else page


def page_url(page, *, request=None) -> str | None:
    """``page.get_url(request=request)``: the page's path when it is on the
    request's site (or there is one site), else its full URL; None when it
    is not routable. ``page`` is a page or an
    :class:`~nashr.articles.cards.ArticleCard`."""
    from wagtail.models import Site

    parts = _url_parts(page, request)
    if parts is _ASK_WAGTAIL:
        return _wagtail_page(page).get_url(request=request)
    if parts is None:
        return None
    site_id, root_url, path = parts
    current_site = Site.find_for_request(request) if request is not None else None
    if current_site is not None and site_id == current_site.id:
        return path
    if len({values[0] for values in page._get_site_root_paths(request)}) == 1:
        return path
    return root_url + path


#: ``{(route name, argument type, script prefix, language): (text before,
#: text after the argument) or None when the route is not a plain one}``,
#: and ``{(route name, None, script prefix, language): URL}`` for routes
#: without arguments (a language prefix, were there one, is in the text)
_ROUTE_SPLITS: dict[tuple, tuple[str, str] | str | None] = {}
_STR_PROBE = "nashr-probe"
_INT_PROBE = 7_391_004_117


def _route_split(name: str, kind: type) -> tuple[str, str] | None:
    """``reverse(name, args=(probe,))`` cut around the probe, when the route
    is ``path()``'s with one ``<int:…>`` or ``<str:…>`` converter of
    ``kind`` and the rest needs no encoding; else None."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    probe = _INT_PROBE if kind is int else _STR_PROBE
    try:
        url = reverse(name, args=(probe,))
        route = resolve(url).route
    except (NoReverseMatch, Resolver404):
        return None
    converters = re.findall(r"<(?:(\w+):)?\w+>", route)
    if converters != ["int" if kind is int else "str"] or "(" in route or url.count(str(probe)) != 1:
        return None
    before, after = url.split(str(probe))
    if quote(before, safe=_PATH_SAFE) != before or quote(after, safe=_PATH_SAFE) != after:
        return None
    return before, after


def route_url(name: str, *args) -> str:
    """``reverse(name, args=args)`` for a route with no argument or one, an
    ``int`` or a ``str`` (``path()``'s converters): the route's text around
    the argument is reversed once per process and script prefix, the
    argument encoded here as ``reverse`` encodes it. Anything else (more
    arguments, another converter, a ``str`` value with a slash...) is
    ``reverse``'s answer, and so are its errors (``NoReverseMatch``)."""
    from django.urls import get_script_prefix, reverse
    from django.utils.translation import get_language

    if not args:
        key = (name, None, get_script_prefix(), get_language())
        try:
            return _ROUTE_SPLITS[key]
        except KeyError:
            url = _ROUTE_SPLITS[key] = reverse(name)
            return url
    if len(args) == 1:
        value = args[0]
        kind = type(value)
        if kind is int and value >= 0 or kind is str and value and "/" not in value:
            key = (name, kind, get_script_prefix(), get_language())
            try:
                split = _ROUTE_SPLITS[key]
            except KeyError:
                split = _ROUTE_SPLITS[key] = _route_split(name, kind)
            if split is not None:
                text = str(value) if kind is int else quote(value, safe=_PATH_SAFE)
                return split[0] + text + split[1]
    return reverse(name, args=args)


def _connect() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_urls_changed, dispatch_uid="nashr-page-urls")


_connect()
