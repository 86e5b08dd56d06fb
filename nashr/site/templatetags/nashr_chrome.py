"""Template tags for the page around the content (``base.html``): its
parts built in Python (:mod:`nashr.site.chrome_html`).

``{% chrome_head %}``, ``{% chrome_header %}``, ``{% chrome_nav %}`` and
``{% chrome_footer %}`` return :func:`~nashr.site.chrome_html.chrome_head_html`,
``chrome_header_html``, ``chrome_nav_html`` and ``chrome_footer_html`` of
the template's context.
"""

from __future__ import annotations

from django import template

from .. import chrome_html

register = template.Library()

for _part in ("head", "header", "nav", "footer"):
    register.simple_tag(getattr(chrome_html, f"chrome_{_part}_html"), takes_context=True, name=f"chrome_{_part}")
