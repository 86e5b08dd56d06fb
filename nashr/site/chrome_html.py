"""The HTML of the page around the content (``base.html``), built in Python.

``base.html`` keeps the page's layout and calls these for its four parts
that are on every page (:data:`nashr.articles.fragments.CHROME_FRAGMENTS`):
stylesheet and feed links (:func:`chrome_head_html`), the site header with
today's date and the search box (:func:`chrome_header_html`), the section
navigation (:func:`chrome_nav_html`) and the footer
(:func:`chrome_footer_html`). A template costs several times more than the
bytes it makes, and these are on every page.

Each function takes the page's template :class:`~django.template.Context`
(``site_name``, ``site_description``, ``site_url``, ``nav_sections`` from the
site context processor; ``request``, ``page``; on the search page ``query``
and ``max_query_chars``) and returns safe HTML: what the template markup it
replaces rendered, escaping included, byte for byte
(``tests/test_chrome_html.py`` renders that markup beside them). None
raises for such a context.
"""

from __future__ import annotations

from django.utils.safestring import SafeString

from nashr.articles.page_html import text_html as _e
from nashr.articles.templatetags.nashr import asset, now_ar, section_url


def _var(context, name: str) -> str:
    """``{{ name }}``: escaped, ``""`` when missing (or None in the context,
    which the template prints as ``None``)."""
    try:
        value = context[name]
    except KeyError:
        return ""
    return _e(value)


def chrome_head_html(context) -> SafeString:
    """The font preload, stylesheets, icon and site feed links."""
    site_name = _var(context, "site_name")
    site_url = _var(context, "site_url")
    return SafeString(
        f'<link rel="preload" href="{_e(asset("nashr/fonts/noto-naskh-arabic-arabic-400-normal.woff2"))}" '
        'as="font" type="font/woff2" crossorigin>\n'
        f'<link rel="stylesheet" href="{_e(asset("nashr/nashr.css"))}">\n'
        f'<link rel="stylesheet" href="{_e(asset("newsletter/newsletter.css"))}">\n'
        f'<link rel="stylesheet" href="{_e(asset("search/search.css"))}">\n'
        f'<link rel="stylesheet" href="{_e(asset("nashr/print.css"))}" media="print">\n'
        f'<link rel="icon" href="{_e(asset("nashr/logo.png"))}" type="image/png">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{site_name} — RSS" href="{site_url}/feed/">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{site_name} — Atom" '
        f'href="{site_url}/feed/atom/">')


def search_form_html(context, *, form_id: str) -> str:
    """``{% include "search/includes/search_form.html" with form_id=… %}``
    (the query and its length limit from the context, on the search page)."""
    from django.template.defaultfilters import default

    field_id = _e(default(form_id, "search"))
    query = _e(default(context.get("query"), ""))
    max_chars = _e(default(context.get("max_query_chars"), 200))
    return ('<form class="search-form" role="search" action="/search/" method="get">\n'
            f'  <label class="visually-hidden" for="{field_id}-q">ابحث في المقالات</label>\n'
            f'  <input id="{field_id}-q" type="search" name="q" value="{query}" maxlength="{max_chars}" '
            'placeholder="ابحث…" dir="auto" enterkeyhint="search">\n'
            '  <button type="submit">بحث</button>\n'
            '</form>\n')


def chrome_header_html(context) -> SafeString:
    """The skip link and the site header up to the sign-in link: brand,
    today's date (ISO and in Arabic), the search box."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    # ``{% now "Y-m-d" %}``: the current time in the current time zone
    today = datetime.datetime.now(tz=timezone.get_current_timezone() if settings.USE_TZ else None)
    return SafeString(
        '<a class="skip-link" href="#main">تخطَّ إلى المحتوى</a>\n'
        '<header class="site-header">\n'
        '  <div class="wrap site-header__inner">\n'
        '    <a class="brand" href="/" rel="home">\n'
        f'      <img class="brand__mark" src="{_e(asset("nashr/logo.png"))}" width="40" height="40" alt="">\n'
        f'      <span class="brand__name">{_var(context, "site_name")}</span>\n'
        '    </a>\n'
        '    <p class="site-date">'
        f'<time datetime="{today.year:04d}-{today.month:02d}-{today.day:02d}">{_e(now_ar())}</time></p>\n'
        f'    {search_form_html(context, form_id="header")}\n    ')


def _sections(context):
    return context.get("nav_sections") or ()


def chrome_nav_html(context) -> SafeString:
    """The end of the header: the section navigation, the current page's
    link marked ``aria-current``."""
    request = context.get("request")
    page = context.get("page")
    path = getattr(request, "path", None)
    home = ' aria-current="page"' if path == "/" else ""
    out = ['</div>\n  <nav class="site-nav" aria-label="الأقسام">\n    <ul class="wrap site-nav__list">\n'
           f'      <li><a href="/"{home}>الرئيسية</a></li>\n      ']
    page_pk = page.pk if page else None
    for section in _sections(context):
        current = ' aria-current="page"' if page and page_pk == section.pk else ""
        out.append(f'\n      <li><a href="{_e(section_url(section, request=request))}"{current}>'
                   f'{_e(section.title)}</a></li>\n      ')
    out.append("\n    </ul>\n  </nav>\n</header>")
    return SafeString("".join(out))


def chrome_footer_html(context) -> SafeString:
    """The site footer (name, description, section and feed links), the
    back-to-top link and the site script."""
    request = context.get("request")
    links = "".join(f'<li><a href="{_e(section_url(section, request=request))}">{_e(section.title)}</a></li>'
                    for section in _sections(context))
    return SafeString(
        '<div class="wrap site-footer__inner">\n'
        '    <div>\n'
        f'      <p class="site-footer__name">{_var(context, "site_name")}</p>\n'
        f'      <p>{_var(context, "site_description")}</p>\n'
        '    </div>\n'
        '    <nav aria-label="روابط الموقع">\n'
        '      <ul class="site-footer__links">\n'
        f'        {links}\n'
        f'        <li><a href="{_var(context, "site_url")}/feed/">خلاصة RSS</a></li>\n'
        '      </ul>\n'
        '    </nav>\n'
        '  </div>\n'
        '</footer>\n'
        '<a href="#main" class="to-top" id="to-top" aria-label="العودة إلى أعلى الصفحة" hidden>\n'
        '  <svg aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 20 20">'
        '<path d="M10 4l-7 7h4.5v5h5v-5H17z" fill="currentColor"/></svg>\n'
        '  <span>إلى الأعلى</span>\n'
        '</a>\n'
        f'<script src="{_e(asset("nashr/nashr.js"))}" defer></script>')
