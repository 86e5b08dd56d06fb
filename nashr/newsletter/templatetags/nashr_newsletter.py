"""Template tags of the newsletter: the subscribe box."""

from __future__ import annotations

from django import template
from django.template import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SUBSCRIBE_BOX_TEMPLATE = "newsletter/includes/subscribe_box.html"
#: ``{(box id, site name, subscribe URL): HTML}``: a box without a form
#: sent back is the same for every reader, so each is rendered once per
#: process (the key holds everything it shows).
_BOX_HTML: dict[tuple, str] = {}
_BOX_HTML_MAX = 64


def subscribe_box_html(context, *, box_id: str) -> SafeString:
    """What ``{% include "newsletter/includes/subscribe_box.html" with
    box_id=box_id %}`` renders in ``context`` (a template
    :class:`~django.template.Context`). When the context holds nothing of
    the reader's (no ``subscribe_form`` sent back with its errors, no
    ``heading_level`` of its own), the box depends only on ``box_id``, the
    site's name and the subscribe URL: its HTML is rendered once per process
    for those and reused (two boxes on every article page). Otherwise the
    template is rendered in ``context``, as the include does."""
    from django.template.loader import get_template

    from nashr.articles.page_urls import route_url

    if context.get("subscribe_form") is not None or context.get("heading_level") is not None:
        template_ = context.template.engine.get_template(SUBSCRIBE_BOX_TEMPLATE)
        with context.push(box_id=box_id):
            return mark_safe(template_.render(context))
    values = {"box_id": box_id}
    if "site_name" in context:  # a missing name prints nothing, None prints "None"
        values["site_name"] = context["site_name"]
    key = (box_id, "site_name" in values, values.get("site_name"), route_url("newsletter:subscribe"))
    html = _BOX_HTML.get(key)
    if html is None:
        if len(_BOX_HTML) >= _BOX_HTML_MAX:  # settings changed many times (tests)
            _BOX_HTML.clear()
        box = get_template(SUBSCRIBE_BOX_TEMPLATE).template
        html = _BOX_HTML[key] = box.render(Context(values, autoescape=True))
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def subscribe_box(context, box_id: str) -> SafeString:
    """``{% subscribe_box "footer" %}``: :func:`subscribe_box_html`."""
    return subscribe_box_html(context, box_id=box_id)
