"""The markup of article body blocks: what a reader's page shows for each
block type, the same from the article page (built in Python) and from
``{% include_block %}`` (the block templates, used by previews and simple
pages)."""

import re

import pytest
from django.template import engines
from wagtail.blocks import StreamValue

from nashr.articles.blocks import ArticleBodyBlock
from nashr.articles.body_html import body_block_html

from .factories import make_image

pytestmark = pytest.mark.django_db


def _stream(raw):
    return StreamValue(ArticleBodyBlock(), [{"type": t, "value": v} for t, v in raw], is_lazy=True)


def _both(raw) -> list[tuple[str, str]]:
    """(Python markup, template markup) of each block of ``raw``."""
    template = engines["django"].from_string("{% load wagtailcore_tags %}{% include_block block %}")
    return [(str(body_block_html(block)), template.render({"block": block})) for block in _stream(raw)]


def test_text_blocks_isolate_latin_and_escape():
    raw = [
        ("paragraph", '<p>أطلقت Apple هاتف <b>iPhone</b> <a href="https://x.org/">هنا</a><script>x()</script></p>'),
        ("subheading", "ما بعد COVID-19 <وسم>"),
        ("pull_quote", {"quote": "قال \"Nadia\" إن C++ أسرع", "attribution": "نادية"}),
        ("pull_quote", {"quote": "بلا قائل", "attribution": ""}),
        ("block_quote", {"quote": "السطر الأول\n\n  \nالسطر Wagtail الثاني", "attribution": "BBC"}),
        ("related_link", {"title": "اقرأ عن Django", "url": "https://djangoproject.com/?a=1&b=2"}),
        ("related_link", {"title": "رابط مرفوض", "url": "javascript:alert(1)"}),
    ]
    expected = [
        '<p>أطلقت <bdi dir="ltr">Apple</bdi> هاتف <b><bdi dir="ltr">iPhone</bdi></b> '
        '<a href="https://x.org/" rel="noopener">هنا</a></p>\n',
        '<h2 class="subheading">ما بعد <bdi dir="ltr">COVID-19</bdi> &lt;وسم&gt;</h2>\n',
        '<figure class="pull-quote"><blockquote><p>قال &quot;<bdi dir="ltr">Nadia</bdi>&quot; إن '
        '<bdi dir="ltr">C++</bdi> أسرع</p></blockquote><figcaption>— نادية</figcaption></figure>\n',
        '<figure class="pull-quote"><blockquote><p>بلا قائل</p></blockquote></figure>\n',
        '<figure class="block-quote"><blockquote><p>السطر الأول</p><p>السطر <bdi dir="ltr">Wagtail</bdi> '
        'الثاني</p></blockquote><figcaption><bdi dir="ltr">BBC</bdi></figcaption></figure>\n',
        '<aside class="related-link"><span class="related-link__label">اقرأ أيضًا:</span> '
        '<a href="https://djangoproject.com/?a=1&amp;b=2">اقرأ عن <bdi dir="ltr">Django</bdi></a></aside>\n',
        '<aside class="related-link"><span class="related-link__label">اقرأ أيضًا:</span> رابط مرفوض</aside>\n',
    ]
    pairs = _both(raw)
    assert [python for python, _ in pairs] == expected
    assert [template for _, template in pairs] == expected


def test_figure_caption_and_credit():
    credited = make_image(caption="تعليق المكتبة", photographer="سارة", agency="AFP")
    bare = make_image(caption="")
    pairs = _both([
        ("image", {"image": credited.pk, "caption": "تعليق المقال"}),
        ("image", {"image": credited.pk, "caption": ""}),
        ("image", {"image": bare.pk, "caption": ""}),
        ("image", {"image": None, "caption": "لا صورة"}),
    ])
    for python, template in pairs:
        assert python == template
    own, library, plain, missing = (python for python, _ in pairs)
    assert re.fullmatch(
        r'<figure class="figure">\n  <img src="[^"]+" srcset="[^"]+ 480w, [^"]+ 800w" '
        r'sizes="\(min-width: 760px\) 720px, 100vw" width="800" height="500" alt="وصف الصورة" '
        r'loading="lazy" decoding="async">\n  <figcaption><span class="caption">تعليق المقال</span> '
        r'<span class="credit"><span class="visually-hidden">حقوق الصورة: </span>سارة \| '
        r'<bdi dir="ltr">AFP</bdi></span></figcaption>\n\n</figure>\n', own)
    assert '<span class="caption">تعليق المكتبة</span>' in library
    assert plain.endswith('decoding="async">\n  \n\n</figure>\n') and "figcaption" not in plain
    assert missing == "\n"
