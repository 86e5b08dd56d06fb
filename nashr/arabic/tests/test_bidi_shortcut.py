"""Text without Latin letters skips the character-by-character scan in
:mod:`nashr.arabic.bidi`: the answer must be the one the full algorithm
gives, for any text and any fragment."""

from __future__ import annotations

from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from nashr.arabic import bidi, isolate_ltr, isolate_ltr_html


def full_isolate_ltr(text: str) -> str:
    out, done = [], 0
    for start, end in bidi._runs(text):
        out += [escape(text[done:start]), bidi._OPEN + escape(text[start:end]) + bidi._CLOSE]
        done = end
    return "".join(out) + escape(text[done:])


def full_isolate_ltr_html(html: str) -> str:
    parser = bidi._Isolator()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


# Arabic, harakat, digits, punctuation, quotes, bidi controls, a few Latin
# letters (plain, accented, fullwidth, a ligature) and look-alikes.
CHARS = st.sampled_from(list("نشر في الأخبار ًٌٍَُ٠١٢٣ 0123 .,:;!?()«»-–—/\"'&<>#@+_\n\t\u00a0\u200f\u202e\u2066"
                             "aZéÅＡﬁ\u0131\u0430ß") )
TEXT = st.text(CHARS, max_size=40)
TAGS = st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<br>", "<br/>", '<a href="https://nashr.org/x?a=1&amp;b=2">',
                        "</a>", '<a href="/a>b">', "<P>", "</p >", "<bdi>", "</bdi>", "<code>", "</code>",
                        "<!-- x -->", "&amp;", "&nbsp;", "&#65;", "<", ">", "<pre>", "</pre>", "<textarea>",
                        "</textarea>", '<img src="/x.png" alt="Nashr">', "<i>", "</i>", "<h2 id=a>", "</h2>"])
FRAGMENT = st.lists(st.one_of(TEXT, TAGS), max_size=12).map("".join)


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_isolate_ltr_matches_the_full_algorithm(text):
    assert isolate_ltr(text) == full_isolate_ltr(text)


@settings(max_examples=600, deadline=None)
@given(FRAGMENT)
def test_isolate_ltr_html_matches_the_full_algorithm(fragment):
    assert isolate_ltr_html(fragment) == full_isolate_ltr_html(fragment)


def test_arabic_paragraph_comes_back_as_it_is():
    html = '<p>زوروا <a href="https://nashr.org/" rel="noopener">«موقعنا»</a> الآن: 31 كيلومترًا.</p>'
    assert isolate_ltr_html(html) == html
    assert isolate_ltr("«نص» & <وسم>") == "«نص» &amp; &lt;وسم&gt;"


SCOPED = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@settings(max_examples=400, deadline=None)
@given(st.text(st.one_of(CHARS, st.sampled_from(list(SCOPED + "\u200e\u061c\u2065\u206a\u2029"))), max_size=40))
def test_strip_bidi_controls_shortcut_answers_as_translate(text):
    """The regex check before ``translate`` gives back text with no scoped
    control unchanged, and removes every one of the nine otherwise."""
    stripped = bidi.strip_bidi_controls(text)
    assert stripped == text.translate(bidi._SCOPED_CONTROLS)
    assert not any(ch in SCOPED for ch in stripped)
    assert [ch for ch in text if ch not in SCOPED] == list(stripped)


@settings(max_examples=600, deadline=None)
@given(FRAGMENT)
def test_simple_html_path_answers_as_the_parser(fragment):
    """Whenever the tag-splitting path answers, it is the parser's answer."""
    simple = bidi._simple_html(fragment)
    if simple is not None:
        assert simple == full_isolate_ltr_html(fragment)


def test_rich_text_paragraph_with_latin_takes_the_simple_path():
    html = '<p>أطلقت <a href="https://nashr.org/x?a=1">شركة Apple</a> هاتف <b>iPhone 16 Pro</b>.</p>'
    expected = ('<p>أطلقت <a href="https://nashr.org/x?a=1">شركة <bdi dir="ltr">Apple</bdi></a> هاتف '
                '<b><bdi dir="ltr">iPhone 16 Pro</bdi></b>.</p>')
    assert bidi._simple_html(html) == expected == full_isolate_ltr_html(html) == isolate_ltr_html(html)
    assert bidi._simple_html("<p>R&amp;D في <code>x</code></p>") is None


def reference_runs(text: str) -> list[tuple[int, int]]:
    """``bidi._runs`` as first written: a look at every character."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if bidi._kind(text[i]) != "L":
            i += 1
            continue
        floor = runs[-1][1] if runs else 0
        start = i
        while start > floor and text[start - 1] in bidi._DIGITS:
            start -= 1
        if start > floor and text[start - 1] in bidi._LEADERS and (
            start - 1 == floor or bidi._kind(text[start - 2]) not in "LDM"
        ):
            start -= 1
        end = j = i
        while j < n and bidi._kind(text[j]) != "O":
            kind = bidi._kind(text[j])
            if kind in "LD" or (kind == "M" and j == end):
                end = j + 1
            j += 1
        while end < n and text[end] in bidi._TRAILERS:
            end += 1
        runs.append((start, end))
        i = end
    return runs


@settings(max_examples=800, deadline=None)
@given(st.text(st.one_of(CHARS, st.sampled_from(list("bcXY.9#@+\u0301\u0400ж中😀"))), max_size=60))
def test_runs_jump_finds_the_runs_a_look_at_every_character_finds(text):
    assert bidi._runs(text) == reference_runs(text)


MALFORMED = st.sampled_from(['<a href="https://nashr.org/x>', '<i title=">', "<p title='>", '<b\u2028br\x00>',
                             '<p\xa0title=">', '<a \u2028!=">', '<i title="\n\u2028>', "<b c=x'y>", '"', "'",
                             "=", " ", "\u2028", "Apple", "نص", "<p>", "</p>", "<b>", "</b>", "&amp;"])


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(MALFORMED, TEXT), max_size=10).map("".join))
def test_malformed_tags_get_the_parsers_answer(fragment):
    """Unbalanced quotes, Unicode spaces or NUL in a tag: the parser reads
    these its own way (one tag running over the next, or text), and the
    parser-free paths must give way to it."""
    assert isolate_ltr_html(fragment) == full_isolate_ltr_html(fragment)


def test_a_quote_running_over_the_next_tag_is_not_split():
    for html in ('<a href="https://nashr.org/x>Wagtail<i title=">نص', '<p title=">Apple</p>',
                 '<b\u2028br\x00>/a?', '<i title="Apple &amp;>'):
        assert bidi._simple_html(html) is None
        assert isolate_ltr_html(html) == full_isolate_ltr_html(html)


def test_strip_bidi_controls_gives_a_plain_str_as_translate_did():
    from django.template import Context, Template
    from django.utils.safestring import SafeString, mark_safe

    for text in (mark_safe("<b>Nadia</b>"), mark_safe("<b>Nadia\u202e</b>")):
        stripped = bidi.strip_bidi_controls(text)
        assert type(stripped) is str and not isinstance(stripped, SafeString)
    template = Template("{% load nashr %}{{ v|bidi_clean }}")
    assert template.render(Context({"v": mark_safe("<b>Nadia</b>")})) == "&lt;b&gt;Nadia&lt;/b&gt;"
