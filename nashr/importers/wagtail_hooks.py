"""``/?p=123``-style WordPress links: the home page answers those URLs (200),
so Wagtail's redirect middleware, which only looks at 404s, never sees them.
Before the site's root page is served with a WordPress query (``p``,
``page_id``, ``attachment_id``, ``cat``, ``tag``), the imported redirect for
the full path is looked up and followed."""

from __future__ import annotations

from wagtail import hooks

from .selectors import wordpress_query_redirect


@hooks.register("before_serve_page")
def follow_wordpress_query_links(page, request, serve_args, serve_kwargs):
    return wordpress_query_redirect(page=page, request=request)
