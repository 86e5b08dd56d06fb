"""Body blocks stored outside the admin's editor (an importer, a script, the
API, a fixture): what the article page does with hostile values there.

The admin's Draftail editor only ever stores whitelisted rich text, and its
URL fields refuse ``javascript:``. Nothing on the way out checks again:
Wagtail's ``richtext`` filter only rewrites its own ``<a linktype>`` and
``<embed>`` tags, and ``ltr_html`` copies tags as written (its docstring
says it expects HTML already sanitised, "e.g. rich text after nh3"; nh3 is a
dependency of the project but nothing calls it)."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError

from nashr.articles.models import ArticlePage
from nashr.articles.tests.factories import build_site

from .conftest import active_markup, cls, parse

pytestmark = pytest.mark.django_db

RAW = (
    '<p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
    '<img src=x onerror=alert(1)><a href=" JaVaScRiPt:alert(5)" onmouseover="alert(6)">y</a></p>'
)


def _publish_body(body):
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    article.body = body
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def test_editor_made_rich_text_keeps_its_links_and_formatting(reader):
    article = _publish_body([{"type": "paragraph", "value": (
        '<p>قالت <b>الوزارة</b> في <a href="https://example.com/report?a=1&amp;b=2">تقريرها</a> '
        "إن <i>النمو</i> بلغ 3%.</p><ul><li>أولًا</li></ul>"
    )}])
    doc = parse(reader.get(article.url))
    body = doc.xpath(f"//div[{cls('article__body')}]")[0]
    assert body.xpath(".//a/@href") == ["https://example.com/report?a=1&b=2"]
    assert [el.text_content() for el in body.xpath(".//b | .//i | .//li")] == ["الوزارة", "النمو", "أولًا"]


def test_raw_html_in_a_paragraph_is_neutralised(reader):
    """FINDING (stored XSS): a paragraph value holding ``<script>``,
    ``on*`` handlers and ``javascript:`` links is printed verbatim."""
    article = _publish_body([{"type": "paragraph", "value": RAW}])
    response = reader.get(article.url)
    assert response.status_code == 200
    assert active_markup(response.content) == []


def test_unbalanced_paragraph_html_is_closed_inside_the_body(reader):
    """FINDING: an unclosed ``<a>``/``<b>`` in a paragraph is printed as is;
    the browser's HTML parser then re-opens the link after ``</div>``, so
    the article footer (tags, share buttons, author box) becomes part of it."""
    article = _publish_body([{"type": "paragraph", "value": '<p>نص <a href="https://example.com/"><b>رابط'}])
    html = reader.get(article.url).content.decode()
    start = html.index('<div class="article__body')
    fragment = html[start:html.index("<footer", start)]

    class Depth(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open = {"a": 0, "b": 0}

        def handle_starttag(self, tag, attrs):
            if tag in self.open:
                self.open[tag] += 1

        def handle_endtag(self, tag):
            if tag in self.open:
                self.open[tag] -= 1

    counter = Depth()
    counter.feed(fragment)
    assert counter.open == {"a": 0, "b": 0}


def test_related_link_with_javascript_url_is_not_a_live_link(reader):
    """FINDING: URLBlock refuses ``javascript:`` in the admin form, but
    ``save_revision()`` does not validate StreamField blocks, and the
    template prints ``value.url`` into ``href`` as is."""
    article = _publish_body([{"type": "related_link", "value": {"title": "اقرأ", "url": "javascript:alert(4)"}}])
    response = reader.get(article.url)
    assert response.status_code == 200
    assert active_markup(response.content) == []


def test_source_url_with_javascript_scheme_is_refused_on_save(reader):
    site = build_site(articles_per_section=1, body_images=0)
    article = site["articles"][0]
    article.source_publisher = "وكالة"
    article.source_url = "javascript:alert(1)"
    with pytest.raises(ValidationError):
        article.save_revision()
    html = reader.get(ArticlePage.objects.get(pk=article.pk).url).content
    assert active_markup(html) == []


@pytest.mark.parametrize("fragment", [
    '<p><a linktype="page" id="abc">رابط</a></p>',
    '<p><a linktype="page" id="99999999999999999999">رابط</a></p>',
    '<embed embedtype="image" id="abc" format="left" alt="x"/>',
], ids=["page-link-id-not-a-number", "page-link-id-overflow", "image-embed-id-not-a-number"])
def test_malformed_rich_text_reference_does_not_break_the_article(reader, fragment):
    """FINDING: a rich-text page link or image embed whose id is not a valid
    number (a bad import) makes Wagtail's rewriter raise, and the article
    answers 500 instead of rendering without that link."""
    article = _publish_body([{"type": "paragraph", "value": fragment}])
    assert reader.get(article.url).status_code == 200


@pytest.mark.parametrize("fragment", [
    '<p><a linktype="page" id="999999">رابط</a></p>',
    '<embed embedtype="image" id="999999" format="bogus" alt="x"/>',
    '<p><a linktype="nope" id="1">x</a></p>',
    "<p>&#0;&#xD800;&#1114112;</p>",
], ids=["page-link-missing", "image-embed-missing", "unknown-linktype", "invalid-char-refs"])
def test_dangling_rich_text_reference_renders(reader, fragment):
    article = _publish_body([{"type": "paragraph", "value": fragment}])
    response = reader.get(article.url)
    assert response.status_code == 200
    assert active_markup(response.content) == []
