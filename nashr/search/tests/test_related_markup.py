"""The markup of the related-articles section under an article: each card
as a reader's page shows it."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from nashr.articles.selectors import sections_for_request
from nashr.search.templatetags.nashr_search import related_articles, related_list_html

from .test_related import site, topics  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_related_cards_markup(rf, topics):  # noqa: F811
    quake, _ = topics
    request = rf.get(quake[0].url)
    sections_for_request(request)
    items = related_articles({"request": request}, quake[0])
    assert items
    items[0].title = "تقرير New York Times عن <الزلزال>"
    items[0].card_image = None
    items[-1].standfirst = ""
    cards = []
    for item in items:
        when = timezone.localtime(item.published)
        media = ("" if item.card_image is None else
                 f'<a class="related-card__media" href="{item.url}" tabindex="-1" aria-hidden="true">'
                 f'<img src="{item.card_image["url"]}" width="320" height="180" alt="" loading="lazy" '
                 'decoding="async"></a>')
        title = ('تقرير <bdi dir="ltr">New York Times</bdi> عن &lt;الزلزال&gt;' if item is items[0]
                 else item.title)
        standfirst = f'<p class="related-card__standfirst">{item.standfirst}</p>' if item.standfirst else ""
        cards.append(
            '<li class="related__item">\n      <article class="related-card">\n        '
            f'{media}\n        <div class="related-card__body">\n          '
            f'<a class="kicker" href="{item.section.url}">{item.section.title}</a>\n          '
            f'<h3 class="related-card__title"><a href="{item.url}">{title}</a></h3>\n          '
            f'{standfirst}\n          <p class="related-card__meta"><time datetime="{when.isoformat()}">'
            f'{when.day} ')
    html = str(related_list_html(items, request=request))
    assert html.startswith('\n<section class="related wrap wrap--wide" aria-labelledby="related-heading">\n'
                           '  <h2 id="related-heading" class="related__heading">مقالات ذات صلة</h2>\n'
                           '  <ul class="related__list">\n    ')
    assert html.endswith("</time></p>\n        </div>\n      </article>\n    </li>\n  </ul>\n</section>")
    assert html.count('<li class="related__item">') == len(items)
    for card in cards:
        assert card in html
    assert related_list_html([], request=request) == ""


def test_related_template_gives_the_same_section(rf, topics):  # noqa: F811
    quake, _ = topics
    request = rf.get(quake[0].url)
    html = render_to_string("search/includes/related.html", {"page": quake[0], "request": request})
    items = related_articles({"request": request}, quake[0])
    assert html == f"\n{related_list_html(items, request=request)}\n"
