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
                        "<!-- x -->", "&amp;", "&nbsp;", "&#65;", "<", ">"])
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
