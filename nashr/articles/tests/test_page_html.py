"""The article page's own parts built in Python (nashr.articles.page_html)
give, byte for byte, what the page's template markup gave, in every shape an
article takes: with and without lead image, byline, tags, update date and
source note; free, gated for a visitor, gated for a member; an admin
preview. The reference markup below is the template the functions replace."""

from __future__ import annotations

import datetime

import pytest
from django.template import engines
from django.test import Client
from django.utils import timezone

from nashr.articles.models import ArticleAuthor, ArticlePage, Author

from .factories import build_site, make_image, republish

pytestmark = pytest.mark.django_db

LOAD = "{% load nashr wagtailcore_tags %}"
REFERENCE = {
    "article_head": LOAD + """<link rel="canonical" href="{{ canonical_url }}">
<link rel="shortlink" href="{{ site_url }}/p/{{ page.pk }}/">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{{ site_name }}">
<meta property="og:locale" content="ar_AR">
<meta property="og:title" content="{{ page.title|bidi_clean }}">
<meta property="og:description" content="{{ meta_description }}">
<meta property="og:url" content="{{ canonical_url }}">
{% if og_image %}<meta property="og:image" content="{{ og_image_url }}">
<meta property="og:image:width" content="{{ og_image.width }}">
<meta property="og:image:height" content="{{ og_image.height }}">
<meta property="og:image:alt" content="{{ lead_image.alt_text }}">{% endif %}
<meta property="article:published_time" content="{{ page.published|date:'c' }}">
{% if page.date_updated %}<meta property="article:modified_time" content="{{ page.date_updated|date:'c' }}">{% endif %}
<meta property="article:section" content="{{ section.title }}">
{% for tag in tags %}<meta property="article:tag" content="{{ tag.name }}">
{% endfor %}<meta name="twitter:card" content="{% if og_image %}summary_large_image{% else %}summary{% endif %}">
<meta name="twitter:title" content="{{ page.title|bidi_clean }}">
<meta name="twitter:description" content="{{ meta_description }}">
{% if og_image %}<meta name="twitter:image" content="{{ og_image_url }}">
<meta name="twitter:image:alt" content="{{ lead_image.alt_text }}">{% endif %}
{% if page.pk %}<link rel="alternate" type="application/rss+xml" title="تعليقات: {{ page.title|bidi_clean }}" href="{{ site_url }}{% url 'comments:article_feed' page.pk %}">{% endif %}
<script type="application/ld+json">{{ json_ld|safe }}</script>""",
    "article_top": LOAD + """<header class="article__header wrap wrap--text">
    <a class="kicker" href="{% pageurl section %}">{{ section.title }}</a>
    <h1 class="article__title">{{ page.title|ltr }}</h1>
    {% if page.standfirst %}<p class="article__standfirst">{{ page.standfirst|ltr }}</p>{% endif %}
    <div class="article__meta">
      {% if authors %}<p class="byline">بقلم
        {% for author in authors %}<a href="{{ author.get_absolute_url }}" rel="author">{{ author.name|ltr }}</a>{% if not forloop.last %}{% if forloop.revcounter == 2 %} و{% else %}، {% endif %}{% endif %}{% endfor %}</p>{% endif %}
      <p class="dateline">
        <span>نُشر في <time datetime="{{ page.published|date:'c' }}">{{ page.published|ar_date }}</time>{% with h=page.published|hijri_date %}{% if h %} <span class="hijri">({{ h }})</span>{% endif %}{% endwith %}</span>
        {% if page.date_updated %}<span>· آخر تحديث <time datetime="{{ page.date_updated|date:'c' }}">{{ page.date_updated|ar_datetime }}</time></span>{% endif %}
        <span>· <span class="reading-time">مدة القراءة: {{ reading_minutes|reading_time }}</span></span>
      </p>
    </div>
  </header>
  {% if lead_image %}
  <figure class="lead-figure wrap wrap--wide">
    {% picture lead_image "width-480,width-800,width-1200,width-1600" "(min-width: 1200px) 1100px, 100vw" css_class="lead-figure__img" eager=True %}
    {% figcaption lead_image lead_image.caption %}

  </figure>
  {% endif %}
  <div class="article__body wrap wrap--text">
    {% for block in body_blocks %}{% body_block block %}{% endfor %}
    {% if gated_blocks %}<div class="article__gated">{% for block in gated_blocks %}{% body_block block %}{% endfor %}</div>{% endif %}
  </div>""",
    "article_footer": LOAD + """<footer class="article__footer wrap wrap--text">
    {% if page.source_publisher or page.source_url or page.source_translator or page.source_licence %}
    <aside class="source-note" aria-label="مصدر المادة">
      {% if page.source_publisher %}<p>نُشرت هذه المادة أولًا لدى {% if page.source_url %}<a href="{{ page.source_url }}" rel="noopener">{{ page.source_publisher|ltr }}</a>{% else %}{{ page.source_publisher|ltr }}{% endif %}.</p>{% elif page.source_url %}<p>المصدر: <a href="{{ page.source_url }}" rel="noopener">{{ page.source_url }}</a></p>{% endif %}
      {% if page.source_translator %}<p>ترجمة: {{ page.source_translator }}</p>{% endif %}
      {% if page.source_licence %}<p>{{ page.source_licence|ltr }}</p>{% endif %}
    </aside>
    {% endif %}
    {% if tags %}<ul class="tags" aria-label="الوسوم">{% for tag in tags %}<li><a href="/tag/{{ tag.slug }}/" rel="tag">{{ tag.name|ltr }}</a></li>{% endfor %}</ul>{% endif %}
    <div class="share" aria-label="شارك المقال">
      <span class="share__label">شارك:</span>
      <a href="https://x.com/intent/post?url={{ share_url }}&amp;text={{ share_title }}" rel="noopener nofollow" target="_blank">X</a>
      <a href="https://www.facebook.com/sharer/sharer.php?u={{ share_url }}" rel="noopener nofollow" target="_blank">فيسبوك</a>
      <a href="https://wa.me/?text={{ share_title }}%20{{ share_url }}" rel="noopener nofollow" target="_blank">واتساب</a>
      <a href="https://t.me/share/url?url={{ share_url }}&amp;text={{ share_title }}" rel="noopener nofollow" target="_blank">تيليغرام</a>
      <a href="mailto:?subject={{ share_title }}&amp;body={{ share_url }}">بريد</a>
    </div>
    {% if not access.teaser %}{% include "newsletter/includes/subscribe_box.html" with box_id="article" %}{% endif %}
    {% if authors %}<section class="author-boxes" aria-label="عن الكاتب">
      {% for author in authors %}<div class="author-box">
        {% if author.photo %}{% picture author.photo "fill-96x96,fill-192x192" "96px" css_class="author-box__photo" alt="" %}{% endif %}
        <div><p class="author-box__name"><a href="{{ author.get_absolute_url }}">{{ author.name|ltr }}</a></p>{% if author.bio %}<p>{{ author.bio|ltr }}</p>{% endif %}</div>
      </div>{% endfor %}
    </section>{% endif %}
  </footer>""",
}


def _render(source: str, context: dict, request) -> str:
    return engines["django"].from_string(source).render(context, request)


def _assert_parts_as_template(article, client=None):
    """Each part, built in Python, equals the reference template's output
    in the context the article page builds for this reader."""
    response = (client or Client()).get(article.url)
    assert response.status_code == 200
    request = response.wsgi_request
    page = ArticlePage.objects.get(pk=article.pk)
    context = page.get_context(request)
    shown = []
    for tag, reference in REFERENCE.items():
        expected = _render(reference, context, request)
        built = _render(LOAD + "{% " + tag + " %}", context, request)
        assert built == expected, tag
        shown.append(built)
    # and the page the reader got holds those same bytes (the form token aside)
    html = response.content.decode()
    for part in shown:
        assert part in html
    return shown


@pytest.fixture
def site(settings):
    settings.NASHR_FRAGMENT_CACHE_SECONDS = 0
    return build_site(articles_per_section=2, authors_per_article=2, body_images=1)


def test_a_full_article_with_three_authors_an_update_and_a_source_note(site):
    article = site["articles"][0]
    third = Author.objects.create(name="Nadia <Haddad>", bio="تكتب عن C++ & Rust.",
                                  photo=make_image("ثالث", width=300, height=300))
    ArticleAuthor.objects.create(page=article, author=third, sort_order=5)
    article = republish(article, date_updated=timezone.now() - datetime.timedelta(minutes=5),
                       source_publisher="BBC \"Arabic\"", source_url="https://bbc.com/a?x=1&y=2",
                       source_translator="سامي <م>", source_licence="CC BY 4.0",
                       title='عنوان فيه "Quotes" & <وسم>', standfirst="خلاصة عن Python & Django.")
    top = _assert_parts_as_template(article)[1]
    assert '&lt;<bdi dir="ltr">Haddad</bdi>&gt;</a></p>' in top
    assert '</a>، <a href' in top and '</a> و<a href' in top and "آخر تحديث" in top


def test_an_article_without_image_byline_tags_or_standfirst(site):
    article = site["articles"][1]
    ArticleAuthor.objects.filter(page=article).delete()
    article.tags.clear()
    ArticlePage.objects.filter(pk=article.pk).update(standfirst="")
    article = republish(article, lead_image=None, source_url="https://example.org/x?a=<b>")
    head, top, footer = _assert_parts_as_template(article)
    assert 'og:image"' not in head and "lead-figure" not in top and "byline" not in top
    assert "المصدر:" in footer and "author-boxes" not in footer


def test_a_source_publisher_without_a_link(site):
    article = republish(site["articles"][2], source_publisher="وكالة الأنباء", source_licence="حقوق محفوظة")
    footer = _assert_parts_as_template(article)[2]
    assert "نُشرت هذه المادة أولًا لدى وكالة الأنباء." in footer


def test_a_gated_article_for_a_visitor_and_for_a_member(site, settings):
    from nashr.members.tests.test_leaks import _member

    settings.NASHR_GATE_FREE_BLOCKS = 1
    article = republish(site["articles"][3], access="members")
    visitor_top = _assert_parts_as_template(article)[1]
    member = Client()
    member.force_login(_member().user, backend="nashr.members.backends.MemberTokenBackend")
    member_top = _assert_parts_as_template(article, member)[1]
    assert "article__gated" not in visitor_top and '<div class="article__gated">' in member_top


def test_the_preview_of_a_new_article_matches_the_template(site, admin_client):
    """A page not saved yet: no id (``/p/None/`` as the template printed it),
    byline and tags from memory."""
    section = site["sections"][0]
    page = ArticlePage(title="مسودة عن Wagtail", standfirst="", body=[
        {"type": "paragraph", "value": "<p>نص المسودة.</p>"}], slug="مسودة")
    page.set_url_path(section)
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admin_client.get("/").wsgi_request.user
    request.is_preview = True
    page.path = section.path + "0001"
    context = page.get_context(request)
    context["page"] = page
    for tag, reference in REFERENCE.items():
        assert _render(LOAD + "{% " + tag + " %}", context, request) == _render(reference, context, request)
