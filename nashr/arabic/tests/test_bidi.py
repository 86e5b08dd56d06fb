"""Latin runs in Arabic text isolated with <bdi dir="ltr">."""

import html
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nashr.arabic import isolate_ltr, isolate_ltr_html

OPEN, CLOSE = '<bdi dir="ltr">', "</bdi>"


def unwrap(safe_html: str) -> str:
    """Plain text back from isolate_ltr's output."""
    return html.unescape(safe_html.replace(OPEN, "").replace(CLOSE, ""))


def wrapped(safe_html: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<bdi dir="ltr">(.*?)</bdi>', safe_html)]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_content(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("نشرت New York Times تقريراً", ["New York Times"]),
        ("ارتفعت إصابات COVID-19 مجدداً", ["COVID-19"]),
        ("أعلنت Apple عن iPhone 16 Pro اليوم", ["Apple", "iPhone 16 Pro"]),
        ("صدر Wagtail 8.0.", ["Wagtail 8.0"]),
        ("مؤشر S&P 500 يرتفع", ["S&P 500"]),
        ("لغات C++ و C# و Java", ["C++", "C#", "Java"]),
        ("منصة .NET ووسم #Nashr وحساب @nashr", [".NET", "#Nashr", "@nashr"]),
        ("طابعة 3D بدقة 4K", ["3D", "4K"]),
        ("راسلونا على news@nashr.org.", ["news@nashr.org"]),
        ("صحيفة «Le Monde» الفرنسية", ["Le Monde"]),
        ("مطعم McDonald's الجديد", ["McDonald's"]),
        ("مدينة São Paulo", ["São Paulo"]),
        ("اشترى 3 iPhone", ["iPhone"]),  # a number before the word keeps Arabic order
        ("في عام 2026 وصل العدد إلى 1,500 مشترك", []),  # lone numbers: not wrapped
        ("نص عربي فقط", []),
        ("", []),
    ],
)
def test_latin_runs(text, runs):
    result = isolate_ltr(text)
    assert wrapped(result) == runs
    assert unwrap(result) == text


def test_runs_never_start_or_end_with_spaces():
    result = isolate_ltr("قال   Tim  Cook   إن")
    assert result == 'قال   <bdi dir="ltr">Tim  Cook</bdi>   إن'


def test_html_is_escaped_inside_and_outside_runs():
    result = isolate_ltr('<script>alert("x")</script> و Tom & Jerry')
    assert "<script>" not in result
    assert result == (
        '&lt;<bdi dir="ltr">script</bdi>&gt;<bdi dir="ltr">alert</bdi>(&quot;<bdi dir="ltr">x</bdi>&quot;)'
        '&lt;/<bdi dir="ltr">script</bdi>&gt; و <bdi dir="ltr">Tom &amp; Jerry</bdi>'
    )


def test_html_fragment_wraps_text_inside_elements_not_attributes():
    fragment = (
        '<p>قرأت في <a href="https://example.com/New York" title="BBC News">موقع BBC News</a> '
        "خبراً عن <strong>Wagtail 8.0</strong>.</p>"
    )
    assert isolate_ltr_html(fragment) == (
        '<p>قرأت في <a href="https://example.com/New York" title="BBC News">موقع '
        '<bdi dir="ltr">BBC News</bdi></a> خبراً عن <strong><bdi dir="ltr">Wagtail 8.0</bdi></strong>.</p>'
    )


@pytest.mark.parametrize(
    "fragment",
    [
        "<code>pip install Wagtail</code>",
        "<pre>git commit -m 'Fix'</pre>",
        "<pre><code>print('Hello')</code> after</pre>",
        '<bdi dir="ltr">Already isolated</bdi>',
        "<script>var Nashr = 'x < y';</script>",
        "<style>p::before { content: 'Hi' }</style>",
    ],
)
def test_html_fragment_leaves_code_and_scripts_alone(fragment):
    assert isolate_ltr_html(fragment) == fragment


def test_html_fragment_resumes_after_a_skipped_element():
    assert isolate_ltr_html("<p>الأمر <code>ls</code> في Linux</p>") == (
        '<p>الأمر <code>ls</code> في <bdi dir="ltr">Linux</bdi></p>'
    )


def test_html_fragment_keeps_comments_void_tags_and_entities():
    fragment = '<p>سطر<br/>ثانٍ<!-- note --><img src="a.jpg" alt="Photo"> &amp; Co</p>'
    assert isolate_ltr_html(fragment) == (
        '<p>سطر<br/>ثانٍ<!-- note --><img src="a.jpg" alt="Photo"> &amp; <bdi dir="ltr">Co</bdi></p>'
    )


# Arabic, Latin, digits, joiners, HTML-special characters, marks, controls.
mixed_text = st.text(
    st.one_of(
        st.sampled_from(list("كتب الخبر في ،؛؟«»")),
        st.sampled_from(list("abcXYZéß ")),
        st.sampled_from(list("0123456789٠١")),
        st.sampled_from(list(".,-&+/'’:_@#<>\"\u00a0\u200f\u0301\u064e\n")),
    ),
    max_size=80,
)


@given(mixed_text | st.text(max_size=80))
def test_isolate_ltr_round_trips(text):
    result = isolate_ltr(text)
    assert unwrap(result) == text
    for run in wrapped(result):
        assert run and run == run.strip()
        assert any(unicodedata.name(ch, "").startswith("LATIN") for ch in run)


@given(mixed_text)
def test_isolate_ltr_output_has_no_raw_markup(text):
    result = isolate_ltr(text).replace(OPEN, "").replace(CLOSE, "")
    assert "<" not in result and ">" not in result


@given(mixed_text)
def test_isolate_ltr_html_on_escaped_text_equals_isolate_ltr(text):
    assert isolate_ltr_html(html.escape(text)) == isolate_ltr(text)


_TAGS = st.sampled_from(
    ["<p>", "</p>", '<a href="https://x.org/Latin Words">', "</a>", "<b>", "</b>", "<code>", "</code>",
     "<pre>", "</pre>", "<br>", '<img alt="Alt Text">', "<!-- Comment -->", "<bdi>", "</bdi>"]
)
fragments = st.lists(st.one_of(_TAGS, mixed_text.map(html.escape)), max_size=12).map("".join)


def tags(fragment: str) -> list[str]:
    return re.findall(r"<[^<>]*>", fragment)


@given(fragments)
def test_isolate_ltr_html_never_changes_text_content_or_tags(fragment):
    result = isolate_ltr_html(fragment)
    assert text_content(result) == text_content(fragment)
    added = {OPEN, CLOSE}
    assert [t for t in tags(result) if t not in added] == [t for t in tags(fragment) if t != CLOSE]
