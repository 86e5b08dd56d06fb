"""The email of a newsletter issue, rendered once per issue.

:func:`issue_render` turns an issue's article into two parts — HTML and plain
text — with ASCII placeholders where each recipient's links go
(:data:`~nashr.newsletter.message.PLACEHOLDER_UNSUBSCRIBE` and
:data:`~nashr.newsletter.message.PLACEHOLDER_MANAGE`); nothing else differs
between recipients, so nothing else is rendered per recipient
(:class:`~nashr.newsletter.message.PreparedIssue` fills the links in).

The HTML is written for mail clients, not browsers:

- right to left the way clients honour it: ``dir="rtl"`` on ``<html>`` and
  ``<body>`` and again, with inline ``direction:rtl; text-align:right``, on
  every wrapper table and cell, because Gmail and Outlook drop ``<style>``,
  ``<html>`` and ``<body>`` attributes in places;
- CSS inlined with css-inline (the rules of the template's ``<style>`` become
  ``style`` attributes); only ``@media`` rules — the phone layout and dark
  mode, ``prefers-color-scheme`` — stay in a ``<style>`` element for the
  clients that read it;
- physical ``right``/``left`` in CSS, not logical properties: mail clients
  (Outlook's Word engine, older Gmail apps) do not know
  ``margin-inline-start``;
- a 600-px table layout (``max-width:100%`` so it shrinks on a phone),
  Arabic system fonts only (no web-font requests), images only from the
  site's own absolute URLs, no tracking pixel;
- Latin runs in Arabic text isolated with ``<span dir="ltr">`` (an element
  with ``dir`` is a bidi isolate in HTML, and mail clients keep ``span``
  where some drop ``<bdi>``).

Article rich text is cleaned again for email with nh3 (an allow-list of
simple tags, ``href`` only, relative links made absolute).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .message import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE

__all__ = ["issue_render", "article_email_render", "EMAIL_WIDTH", "CONTENT_WIDTH"]

#: Width of the message column in CSS pixels: the long-standing convention
#: for email that reads in every client's preview pane.
EMAIL_WIDTH = 600
#: Width of the text column: EMAIL_WIDTH minus 24 px padding on each side.
CONTENT_WIDTH = 552
#: Rendition of lead and body images: twice the column, sharp on HiDPI screens.
IMAGE_SPEC = "width-1200"

#: Tags kept from article rich text in email (Wagtail's paragraph features
#: are bold, italic, link and lists; imported HTML may carry more).
_RICH_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li", "h2", "h3", "h4",
              "blockquote", "sub", "sup"}

_BDI_OPEN = re.compile(r'<bdi dir="ltr">')
_WHITESPACE = re.compile(r"\s+")


def _absolute(url: str) -> str:
    """An absolute URL: site-relative ones get ``SITE_URL`` in front;
    ``//host/...`` gets the site's scheme."""
    if url.startswith("//"):
        return urlsplit(settings.SITE_URL).scheme + ":" + url
    if url.startswith("/"):
        return settings.SITE_URL + url
    return url


def _rich_text_for_email(html: str) -> str:
    """Article rich text (Wagtail's stored or expanded HTML) reduced to the
    simple tags every mail client renders, links absolute, nothing loaded
    from anywhere (no ``img``, ``iframe``, ``style``)."""
    import nh3

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "a" and attr == "href":
            return _absolute(value)
        return value

    return nh3.clean(
        html,
        tags=_RICH_TAGS,
        clean_content_tags={"script", "style", "template"},
        attributes={"a": {"href"}},
        attribute_filter=attribute_filter,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )


class _TextWithLinks(HTMLParser):
    """Plain text of simple HTML with each link written out after its text:
    ``نص الرابط (https://…)``; list items start with a bullet."""

    _BLOCKS = {"p", "div", "h2", "h3", "h4", "blockquote", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text.append("")
        elif tag == "li":
            self.out.append("\n• ")
        elif tag == "br":
            self.out.append("\n")
        elif tag in self._BLOCKS:
            self.out.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            href = self.href.pop()
            text = self.link_text.pop().strip()
            if href and href not in (text, "mailto:" + text):
                self.out.append(f" ({href})")
        elif tag in self._BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data):
        data = _WHITESPACE.sub(" ", data)
        self.out.append(data)
        if self.link_text:
            self.link_text[-1] += data


def _html_to_text(html: str) -> str:
    """Readable text of email-clean HTML, links written out.

    >>> print(_html_to_text('<p>قال <a href="https://x.example/a">الوزير</a> نعم.</p><ul><li>أ</li><li>ب</li></ul>'))
    قال الوزير (https://x.example/a) نعم.
    <BLANKLINE>
    • أ
    • ب
    <BLANKLINE>
    """
    parser = _TextWithLinks()
    parser.feed(html)
    parser.close()
    return _tidy_text("".join(parser.out))


def _tidy_text(text: str) -> str:
    """No trailing spaces, at most one empty line in a row, no edge blank
    lines."""
    lines = [line.strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def _image(image, *, width: int, caption: str | None = None) -> dict | None:
    """An image for email: absolute rendition URL, displayed at ``width``
    px (or its own width if smaller) with the height to match."""
    if image is None:
        return None
    rendition = image.get_rendition(IMAGE_SPEC)
    display_width = min(width, rendition.width)
    return {
        "url": _absolute(rendition.url),
        "width": display_width,
        "height": round(rendition.height * display_width / rendition.width),
        "alt": image.alt_text,
        "caption": image.caption if caption is None else caption,
        "credit": image.credit,
    }


def _body_blocks(body, *, article_url: str) -> list[dict]:
    """The article body as simple blocks for both parts: each a dict with
    ``kind`` (``paragraph``, ``subheading``, ``image``, ``quote``,
    ``embed``, ``link``) and the values its templates need."""
    from wagtail.rich_text import expand_db_html

    from nashr.arabic import isolate_ltr_html

    blocks: list[dict] = []
    for block in body:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            html = _rich_text_for_email(expand_db_html(value.source))
            blocks.append({"kind": "paragraph", "html": mark_safe(isolate_ltr_html(html)),
                           "text": _html_to_text(html)})
        elif kind == "subheading":
            blocks.append({"kind": "subheading", "text": str(value)})
        elif kind == "image":
            image = _image(value["image"], width=CONTENT_WIDTH, caption=value["caption"] or None)
            if image:
                blocks.append({"kind": "image", "image": image})
        elif kind in ("pull_quote", "block_quote"):
            lines = [line.strip() for line in str(value["quote"]).splitlines() if line.strip()]
            blocks.append({"kind": "quote", "pull": kind == "pull_quote", "lines": lines,
                           "attribution": value["attribution"]})
        elif kind == "embed":
            # Third-party content is not loaded in email (privacy, and most
            # clients block it): readers are sent to the article instead.
            # The host is named from the URL; the provider's name would need
            # an oEmbed request.
            host = urlsplit(getattr(value, "url", "") or "").hostname or ""
            blocks.append({"kind": "embed", "provider": host.removeprefix("www.") or "موقع خارجي",
                           "url": article_url})
        elif kind == "related_link":
            blocks.append({"kind": "link", "title": value["title"], "url": _absolute(value["url"])})
    return blocks


def _byline(article) -> str:
    names = [link.author.name for link in article.authors.select_related("author").all()]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return "، ".join(names[:-1]) + " و" + names[-1]


def article_email_render(*, article, subject: str) -> tuple[str, str]:
    """The HTML and plain-text parts of the email for ``article``.

    Args:
        article: a (live) :class:`~nashr.articles.models.ArticlePage`.
        subject: the email's subject, used as the HTML ``<title>``.

    Returns:
        ``(html, text)``: a complete HTML document with inlined CSS, and the
        plain text (``\\n`` line breaks). Each contains
        ``%%UNSUBSCRIBE_URL%%`` and ``%%MANAGE_URL%%`` where the recipient's
        links go (in the HTML, inside ``href="…"``: substitute HTML-escaped).

    Makes renditions of the lead and body images (``width-1200``) if they do
    not exist yet (writes image files under ``MEDIA_ROOT``).
    """
    import css_inline

    from nashr.articles.selectors import page_absolute_url

    article_url = page_absolute_url(article)
    site_url = settings.SITE_URL
    # A members-only article: the first blocks only (an email is easily
    # forwarded), then a pointer to the full text on the site (nashr.members).
    from nashr.members.selectors import article_public_blocks

    body, cut = article_public_blocks(article=article)
    blocks = _body_blocks(body, article_url=article_url)
    if cut:
        blocks.append({"kind": "paragraph", "text": "بقية المقال للمشتركين: تابع القراءة على الموقع.\n",
                       "html": mark_safe('<p><a href="%s">بقية المقال للمشتركين: تابع القراءة على الموقع.</a></p>'
                                         % escape(article_url))})
    context = {
        "subject": subject,
        "site_name": settings.NASHR_SITE_NAME,
        "site_url": site_url + "/",
        "site_host": urlsplit(site_url).netloc,
        "article": article,
        "article_url": article_url,
        "byline": _byline(article),
        "lead": _image(article.lead_image, width=EMAIL_WIDTH),
        "blocks": blocks,
        "unsubscribe_url": PLACEHOLDER_UNSUBSCRIBE,
        "manage_url": PLACEHOLDER_MANAGE,
        "width": EMAIL_WIDTH,
        "content_width": CONTENT_WIDTH,
    }
    html = render_to_string("newsletter/email/issue.html", context)
    html = _BDI_OPEN.sub('<span dir="ltr">', html).replace("</bdi>", "</span>")
    # keep_at_rules: the @media rules (phone layout, dark mode) cannot be
    # inlined and stay in a <style> element; everything else is inlined.
    html = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False).inline(html)
    text = _tidy_text(render_to_string("newsletter/email/issue.txt", context))
    return html, text


def issue_render(*, issue) -> tuple[str, str]:
    """``(html_template, text_template)`` of a newsletter issue: its
    article's email (see :func:`article_email_render`), rendered once per
    issue, with ``%%UNSUBSCRIBE_URL%%`` and ``%%MANAGE_URL%%`` placeholders
    for the per-recipient links. Does not save the issue.

    Raises:
        ValueError: the issue has no article.
    """
    if issue.article_id is None:
        raise ValueError(f"issue {issue.pk} has no article to render")
    return article_email_render(article=issue.article, subject=issue.subject)
