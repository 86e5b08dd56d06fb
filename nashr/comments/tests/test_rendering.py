"""Plain text to HTML: paragraphs, links with the right rel, escaping,
bidi controls, the website field, avatars."""

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from lxml import html as lxml_html

from nashr.comments.rendering import (
    LINK_REL, author_url_clean, avatar_for, comment_body_html, count_links,
)


def test_paragraphs_and_line_breaks():
    html = str(comment_body_html("سطر أول\nسطر ثانٍ\n\n\nفقرة ثانية"))
    doc = lxml_html.fragment_fromstring(html, create_parent="div")
    paragraphs = doc.findall("p")
    assert [p.text_content() for p in paragraphs] == ["سطر أول\nسطر ثانٍ", "فقرة ثانية"]
    assert len(paragraphs[0].findall("br")) == 1


def test_urls_become_links_with_nofollow_ugc_noopener_and_punctuation_stays_out():
    html = str(comment_body_html("راجع https://example.org/تقرير?a=1&b=2، وhttp://x.example/path)."))
    doc = lxml_html.fragment_fromstring(html, create_parent="div")
    links = doc.findall(".//a")
    assert [a.get("href") for a in links] == ["https://example.org/تقرير?a=1&b=2", "http://x.example/path"]
    assert all(a.get("rel") == LINK_REL == "nofollow ugc noopener" for a in links)
    assert doc.text_content().endswith(")."), "closing parenthesis and full stop belong to the sentence"


@pytest.mark.parametrize("text", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript :alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)", "<a href='javascript:alert(1)'>x</a>", "www.example.org",
])
def test_nothing_but_http_urls_is_ever_linked(text):
    html = str(comment_body_html(text))
    assert "<a" not in html
    assert "<script" not in html and "<a href" not in html
    assert lxml_html.fragment_fromstring(html, create_parent="div").text_content().replace("\n", "") \
        .replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_markup_is_shown_as_text():
    text = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    html = str(comment_body_html(text))
    doc = lxml_html.fragment_fromstring(html, create_parent="div")
    assert doc.findall(".//script") == [] and doc.findall(".//img") == []
    assert doc.text_content() == text


def test_bidi_controls_are_dropped_and_latin_is_isolated():
    html = str(comment_body_html("تعليق \u202eمعكوس\u202c عن iPhone 16"))
    assert "\u202e" not in html and "\u202c" not in html
    assert '<bdi dir="ltr">iPhone 16</bdi>' in html


def test_count_links():
    assert count_links("http://a.example https://b.example/x ftp://c.example") == 2


@pytest.mark.parametrize("url, kept", [
    ("https://example.org/me", "https://example.org/me"),
    ("http://example.org", "http://example.org"),
    ("example.org", "https://example.org"),
    ("javascript:alert(1)", ""),
    ("  JAVASCRIPT:alert(1)", ""),
    ("java\nscript:alert(1)", ""),
    ("data:text/html,hi", ""),
    ("ftp://example.org/", ""),
    ("https://", ""),
    ("https://localhost/", ""),
    ('https://example.org/"><script>', ""),
    ("//evil.example/", ""),
])
def test_website_is_kept_only_for_http_urls(url, kept):
    assert author_url_clean(url) == kept


def test_avatar_is_initials_and_a_stable_hue():
    a = avatar_for("ليلى حسن")
    assert a["initials"] == "لح"
    assert a == avatar_for("ليلى حسن") and 0 <= a["hue"] < 360
    assert avatar_for("")["initials"] == "؟"
    assert avatar_for("<script>")["initials"] == "S"


@hsettings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_renders_without_live_markup(text):
    html = str(comment_body_html(text))
    doc = lxml_html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for el in doc.iter():
        assert el.tag in ("div", "p", "br", "a", "bdi"), el.tag
        for name, value in el.attrib.items():
            assert name in ("dir", "href", "rel"), name
            if name == "href":
                assert value.lower().startswith(("http://", "https://"))
