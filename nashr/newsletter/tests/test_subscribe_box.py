"""The subscribe box as the article page and every page's footer show it
(nashr.newsletter.templatetags.nashr_newsletter): the same bytes as
including its template, for each box id, site name and form state; kept
per process only while it depends on nothing of the reader's."""

from __future__ import annotations

import pytest
from django.template import Context, engines

from nashr.newsletter.forms import SubscribeForm
from nashr.newsletter.templatetags import nashr_newsletter
from nashr.newsletter.templatetags.nashr_newsletter import subscribe_box_html

INCLUDE = '{% include "newsletter/includes/subscribe_box.html" with box_id=box %}'


def _include(values: dict, box: str) -> str:
    engine = engines["django"].engine
    return engine.from_string(INCLUDE).render(Context({**values, "box": box}, autoescape=True))


def _tag(values: dict, box: str) -> str:
    template = engines["django"].engine.from_string("")
    context = Context(values, autoescape=True)
    with context.bind_template(template):
        return str(subscribe_box_html(context, box_id=box))


@pytest.mark.parametrize("site_name", ["نشرة الصباح", "النشرة اليومية", "صحيفة <الحي> & \"الناس\"", None])
@pytest.mark.parametrize("box", ["footer", "article", "gate"])
def test_box_is_the_template_include(site_name, box):
    values = {"site_name": site_name} if site_name is not None else {}
    assert _tag(values, box) == _include(values, box)
    assert _tag(values, box) == _include(values, box)  # once kept


def test_a_form_sent_back_shows_its_values_and_errors_and_is_not_kept(db):
    form = SubscribeForm(data={"email": "not-an-email <x>", "name": "سارة"})
    assert not form.is_valid()
    values = {"site_name": "نشرة الصباح", "subscribe_form": form}
    html = _tag(values, "page")
    assert html == _include(values, "page")
    assert 'aria-invalid="true"' in html and "not-an-email &lt;x&gt;" in html
    assert not any(key[0] == "page" for key in nashr_newsletter._BOX_HTML)


def test_heading_level_from_the_page_is_honoured():
    values = {"site_name": "نشرة الصباح", "heading_level": "3"}
    html = _tag(values, "invite")
    assert html == _include(values, "invite") and "<h3 " in html


def test_changed_site_name_shows_at_once(settings):
    first = _tag({"site_name": "نشرة أ"}, "footer")
    second = _tag({"site_name": "نشرة ب"}, "footer")
    assert "نشرة أ" in first and "نشرة ب" in second and "نشرة أ" not in second
