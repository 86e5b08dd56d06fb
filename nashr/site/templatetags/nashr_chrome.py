"""Template tags for the page around the content (``base.html``): its
parts built in Python (:mod:`nashr.site.chrome_html`)."""

from __future__ import annotations

from django import template

from .. import chrome_html

register = template.Library()


@register.simple_tag(takes_context=True)
def chrome_head(context):
    """``{% chrome_head %}``: :func:`nashr.site.chrome_html.chrome_head_html`."""
    return chrome_html.chrome_head_html(context)


@register.simple_tag(takes_context=True)
def chrome_header(context):
    """``{% chrome_header %}``: :func:`nashr.site.chrome_html.chrome_header_html`."""
    return chrome_html.chrome_header_html(context)


@register.simple_tag(takes_context=True)
def chrome_nav(context):
    """``{% chrome_nav %}``: :func:`nashr.site.chrome_html.chrome_nav_html`."""
    return chrome_html.chrome_nav_html(context)


@register.simple_tag(takes_context=True)
def chrome_footer(context):
    """``{% chrome_footer %}``: :func:`nashr.site.chrome_html.chrome_footer_html`."""
    return chrome_html.chrome_footer_html(context)
