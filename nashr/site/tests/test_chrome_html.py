"""The parts of the page around the content built in Python
(nashr.site.chrome_html) give, byte for byte, what base.html's markup for
them gave: on an article, on the home page (its link marked current), on a
section (its link marked current), on the search page (the query kept in the
header's box), with a site name and description that need escaping, and
with no request or sections at all. The reference markup below is the
template the functions replace."""

from __future__ import annotations

import pytest
from django.template import Context, engines
from django.test import RequestFactory

from nashr.articles.selectors import sections_for_request
from nashr.site import chrome_html

pytestmark = pytest.mark.django_db

LOAD = "{% load nashr %}"
REFERENCE = {
    "chrome_head": LOAD + """<link rel="preload" href="{% asset 'nashr/fonts/noto-naskh-arabic-arabic-400-normal.woff2' %}" as="font" type="font/woff2" crossorigin>
<link rel="stylesheet" href="{% asset 'nashr/nashr.css' %}">
<link rel="stylesheet" href="{% asset 'newsletter/newsletter.css' %}">
<link rel="stylesheet" href="{% asset 'search/search.css' %}">
<link rel="stylesheet" href="{% asset 'nashr/print.css' %}" media="print">
<link rel="icon" href="{% asset 'nashr/logo.png' %}" type="image/png">
<link rel="alternate" type="application/rss+xml" title="{{ site_name }} — RSS" href="{{ site_url }}/feed/">
<link rel="alternate" type="application/atom+xml" title="{{ site_name }} — Atom" href="{{ site_url }}/feed/atom/">""",
    "chrome_header": LOAD + """<a class="skip-link" href="#main">تخطَّ إلى المحتوى</a>
<header class="site-header">
  <div class="wrap site-header__inner">
    <a class="brand" href="/" rel="home">
      <img class="brand__mark" src="{% asset 'nashr/logo.png' %}" width="40" height="40" alt="">
      <span class="brand__name">{{ site_name }}</span>
    </a>
    <p class="site-date">{% now "Y-m-d" as today_iso %}<time datetime="{{ today_iso }}">{% now_ar %}</time></p>
    {% include "search/includes/search_form.html" with form_id="header" %}
    """,
    "chrome_nav": LOAD + """</div>
  <nav class="site-nav" aria-label="الأقسام">
    <ul class="wrap site-nav__list">
      <li><a href="/"{% if request.path == "/" %} aria-current="page"{% endif %}>الرئيسية</a></li>
      {% for section in nav_sections %}
      <li><a href="{% nav_url section %}"{% if page and page.pk == section.pk %} aria-current="page"{% endif %}>{{ section.title }}</a></li>
      {% endfor %}
    </ul>
  </nav>
</header>""",
    "chrome_footer": LOAD + """<div class="wrap site-footer__inner">
    <div>
      <p class="site-footer__name">{{ site_name }}</p>
      <p>{{ site_description }}</p>
    </div>
    <nav aria-label="روابط الموقع">
      <ul class="site-footer__links">
        {% for section in nav_sections %}<li><a href="{% nav_url section %}">{{ section.title }}</a></li>{% endfor %}
        <li><a href="{{ site_url }}/feed/">خلاصة RSS</a></li>
      </ul>
    </nav>
  </div>
</footer>
<a href="#main" class="to-top" id="to-top" aria-label="العودة إلى أعلى الصفحة" hidden>
  <svg aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 20 20"><path d="M10 4l-7 7h4.5v5h5v-5H17z" fill="currentColor"/></svg>
  <span>إلى الأعلى</span>
</a>
<script src="{% asset 'nashr/nashr.js' %}" defer></script>""",
}
FUNCTIONS = {
    "chrome_head": chrome_html.chrome_head_html,
    "chrome_header": chrome_html.chrome_header_html,
    "chrome_nav": chrome_html.chrome_nav_html,
    "chrome_footer": chrome_html.chrome_footer_html,
}


def _context(path: str = "/", **values) -> Context:
    request = RequestFactory().get(path)
    data = {"request": request, "site_name": "نشرة الصباح", "site_description": "أخبار <المدينة> & ما حولها",
            "site_url": "https://example.org", "nav_sections": sections_for_request(request)}
    data.update(values)
    return Context(data, autoescape=True)


def _assert_same(context) -> None:
    engine = engines["django"].engine
    for name, markup in REFERENCE.items():
        reference = engine.from_string(markup).render(context)
        assert str(FUNCTIONS[name](context)) == reference, name


def test_article_page(settings):
    from nashr.articles.tests.factories import build_site

    site = build_site(articles_per_section=1, body_images=0, tags_per_article=1)
    article = site["articles"][0]
    context = _context(article.url, page=article)
    _assert_same(context)
    nav = str(chrome_html.chrome_nav_html(context))
    assert nav.count("<li>") == 1 + len(context["nav_sections"]) and "aria-current" not in nav


def test_home_and_section_pages_mark_their_link():
    from nashr.articles.tests.factories import build_site

    site = build_site(articles_per_section=1, body_images=0, tags_per_article=1)
    home = _context("/", page=site["home"])
    _assert_same(home)
    assert '<a href="/" aria-current="page">' in str(chrome_html.chrome_nav_html(home))
    section = site["sections"][0]
    context = _context(section.url, page=section)
    _assert_same(context)
    assert str(chrome_html.chrome_nav_html(context)).count('aria-current="page"') == 1


def test_search_page_keeps_the_query_and_escapes_site_values():
    context = _context("/search/", query='"<مطر>" & ثلج', max_query_chars=120,
                       site_name='نشرة "الصباح" <b>', site_url="https://example.org/?a=1&b=2")
    _assert_same(context)
    header = str(chrome_html.chrome_header_html(context))
    assert 'value="&quot;&lt;مطر&gt;&quot; &amp; ثلج" maxlength="120"' in header
    assert "نشرة &quot;الصباح&quot; &lt;b&gt;" in header


def test_without_request_sections_or_site_values():
    _assert_same(Context({}, autoescape=True))
    _assert_same(Context({"site_name": None, "nav_sections": [], "request": None}, autoescape=True))
