"""The per-recipient message builder and its RFC 2047 header encoder, checked
against Python's own decoders (``email.header.decode_header`` and the
``email`` parser with ``policy.default``)."""

from __future__ import annotations

import base64
import email
import re
from email import policy
from email.header import decode_header, make_header

import pytest
from hypothesis import example, given, settings, strategies as st

from nashr.newsletter.message import (
    PLACEHOLDER_MANAGE,
    PLACEHOLDER_UNSUBSCRIBE,
    PreparedIssue,
    addr_spec,
    display_name_normalise,
    encoded_words,
    header_mailbox,
    header_unstructured,
)

ENCODED_WORD = re.compile(r"=\?utf-8\?b\?([^?]*)\?=", re.IGNORECASE)

#: Text as people type it: any character except controls (Cc), lone
#: surrogates (Cs) and the Unicode line/paragraph separators.
header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=200
)


def assert_words_decode_alone(raw: str) -> list[str]:
    """Every encoded-word in ``raw`` is ≤ 75 characters and decodes, on its
    own, to valid UTF-8; returns the decoded pieces."""
    pieces = []
    for match in ENCODED_WORD.finditer(raw):
        assert len(match.group(0)) <= 75, match.group(0)
        pieces.append(base64.b64decode(match.group(1), validate=True).decode("utf-8"))
    return pieces


def assert_folded(raw: str) -> None:
    lines = raw.split("\r\n")
    for i, line in enumerate(lines):
        assert len(line) <= 78, line
        if ENCODED_WORD.search(line):
            assert len(line) <= 76, line  # RFC 2047 §2
        if i:
            assert line.startswith(" ") and line.strip(), repr(line)  # folding, never blank
    assert "\n" not in raw.replace("\r\n", "")


def parse_headers(*lines: str):
    return email.message_from_bytes(
        ("\r\n".join(lines) + "\r\n\r\nbody\r\n").encode("ascii"), policy=policy.default
    )


@given(header_text)
@example("الرئيسُ يزورُ المدينةَ ويفتتح السوق القديمة بعد ترميمها — تقرير مصوّر 🇪🇬")
@example("=?utf-8?b?2YbYtNix2Kk=?=")
@example(" leading and trailing ")
@example("x" * 120)
@settings(max_examples=400, deadline=None)
def test_subject_round_trips_and_every_word_decodes_alone(text):
    raw = header_unstructured("Subject", text)
    assert_folded(raw)
    pieces = assert_words_decode_alone(raw)
    if pieces:
        assert "".join(pieces) == text
    value = raw[len("Subject:"):].replace("\r\n", "").removeprefix(" ")
    assert str(make_header(decode_header(value))) == text
    assert parse_headers(raw)["Subject"] == text


@given(header_text)
@example("سارة \"أم علي\" <بنت> الحسن")
@example('Dr. "Sam" O\'Neil, Jr.')
@example("Sam\\Jones")
@example("=?utf-8?q?x?=")
@settings(max_examples=400, deadline=None)
def test_display_names_parse_back_exactly(name):
    expected = display_name_normalise(name)
    raw = header_mailbox("To", name, "reader@example.com")
    assert_folded(raw)
    pieces = assert_words_decode_alone(raw)
    phrase = raw[len("To:"):].replace("\r\n", "").rsplit(" <", 1)[0]
    if pieces:
        assert "".join(pieces) == expected
        # RFC 2047 §6.2 decoding (whitespace between encoded-words ignored)
        assert str(make_header(decode_header(phrase))) == expected
    address = parse_headers(raw)["To"].addresses[0]
    assert address.addr_spec == "reader@example.com"
    if len(pieces) > 1 and address.display_name != expected:
        # CPython's address parser before gh-128110 (python/cpython#130749)
        # keeps the space between adjacent encoded-words of a display name;
        # words end after a space where possible, so that shows as a
        # doubled space, never a broken word. Only whitespace may differ.
        assert re.sub(r"\s", "", address.display_name) == re.sub(r"\s", "", expected)
    else:
        assert address.display_name == expected


def test_encoded_words_never_split_a_character():
    # 4-byte emoji and 2-byte Arabic letters: 45 bytes do not divide evenly
    text = "ب" * 7 + "🙂" * 20 + "ة"
    words = encoded_words(text, first_room=30)
    assert len(words[0]) <= 30
    decoded = [base64.b64decode(w[10:-2]).decode("utf-8") for w in words]
    assert "".join(decoded) == text
    assert all(len(w) <= 75 for w in words)


@pytest.mark.parametrize("bad", ["a\r\nBcc: x@example.com", "a\nb", "a\rb", "a\x00b", "a\u2028b", "a\x85b"])
def test_line_breaks_and_nul_are_refused(bad):
    with pytest.raises(ValueError):
        header_unstructured("Subject", bad)
    with pytest.raises(ValueError):
        header_mailbox("To", bad, "reader@example.com")
    with pytest.raises(ValueError):
        addr_spec("reader@example.com" + bad)


@pytest.mark.parametrize("bad", ["reader", "reader@", "@example.com", "a b@example.com",
                                 "<a@example.com>", "قارئ@example.com", "a@exa mple.com",
                                 "a@-example.com", "a@example.com>, b@example.com"])
def test_unusable_addresses_are_refused(bad):
    with pytest.raises(ValueError):
        addr_spec(bad)


def test_idn_domains_become_ascii():
    raw = header_mailbox("To", "قارئ", "reader@مثال.مصر")
    assert parse_headers(raw)["To"].addresses[0].domain == "xn--mgbh0fb.xn--wgbh1c"


HTML = (f'<html lang="ar" dir="rtl"><body><p>{"نص المقال. " * 400}</p>'
        f'<a href="{PLACEHOLDER_UNSUBSCRIBE}">إلغاء</a> <a href="{PLACEHOLDER_MANAGE}">إدارة</a></body></html>')
TEXT = f"{'نص المقال. ' * 400}\n\nإلغاء الاشتراك: {PLACEHOLDER_UNSUBSCRIBE}\nإدارة: {PLACEHOLDER_MANAGE}\n"


def prepared(**overrides) -> PreparedIssue:
    kwargs = dict(
        issue_id=7, subject="نشرة الصباح: الرئيس يزور المدينة القديمة ويفتتح السوق بعد ترميمها",
        from_name="نشرة الصباح", from_email="news@example.com", html_template=HTML,
        text_template=TEXT, site_name="نشرة الصباح", domain="news.example.com",
        unsubscribe_mailto="unsubscribe@example.com",
    )
    kwargs.update(overrides)
    return PreparedIssue(**kwargs)


def build(issue: PreparedIssue, n: int = 1, **overrides):
    kwargs = dict(to_email=f"reader{n}@example.org", to_name=f"قارئ رقم {n}",
                  unsubscribe_url=f"https://news.example.com/newsletter/unsubscribe/tok{n}?a=1&b=2",
                  manage_url=f"https://news.example.com/newsletter/manage/tok{n}/")
    kwargs.update(overrides)
    return issue.build(**kwargs)


def test_message_parses_with_the_standard_library():
    issue = prepared()
    built = build(issue)
    data = built.data
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert data.isascii()
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == "نشرة الصباح: الرئيس يزور المدينة القديمة ويفتتح السوق بعد ترميمها"
    assert msg["From"].addresses[0].display_name == "نشرة الصباح"
    assert msg["From"].addresses[0].addr_spec == "news@example.com"
    assert msg["To"].addresses[0].display_name == "قارئ رقم 1"
    assert msg["Message-ID"] == built.message_id
    assert re.fullmatch(r"<[0-9a-f]{33,48}\.7@news\.example\.com>", built.message_id)
    assert msg["List-Id"] == "نشرة الصباح <newsletter.news.example.com>"
    assert msg["List-Unsubscribe"] == ("<https://news.example.com/newsletter/unsubscribe/tok1?a=1&b=2>, "
                                       "<mailto:unsubscribe@example.com?subject=unsubscribe>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["MIME-Version"] == "1.0"
    assert msg["Date"].datetime.tzinfo is not None
    assert msg.get_content_type() == "multipart/alternative"
    assert not msg.defects
    text, html = msg.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text["Content-Transfer-Encoding"] == "base64" and text.get_content_charset() == "utf-8"
    # the text parts survive exactly (canonical CRLF line breaks decoded back)
    assert text.get_content().replace("\r\n", "\n") == (
        TEXT.replace(PLACEHOLDER_UNSUBSCRIBE, "https://news.example.com/newsletter/unsubscribe/tok1?a=1&b=2")
        .replace(PLACEHOLDER_MANAGE, "https://news.example.com/newsletter/manage/tok1/"))
    # in HTML the link is escaped as an attribute value
    assert 'href="https://news.example.com/newsletter/unsubscribe/tok1?a=1&amp;b=2"' in html.get_content()
    assert PLACEHOLDER_UNSUBSCRIBE not in html.get_content()
    for part in (text, html):
        body = part.get_payload(decode=False)
        assert all(len(line) <= 76 for line in body.splitlines())


def test_each_recipient_gets_their_own_links_and_message_id():
    issue = prepared()
    messages = [build(issue, n) for n in range(5)]
    assert len({m.message_id for m in messages}) == 5
    for n, built in enumerate(messages):
        msg = email.message_from_bytes(built.data, policy=policy.default)
        text, html = msg.iter_parts()
        assert f"tok{n}?" in msg["List-Unsubscribe"]
        assert f"/unsubscribe/tok{n}?a=1" in text.get_content()
        assert f"/manage/tok{n}/" in html.get_content()
        assert all(f"tok{m}" not in text.get_content() for m in range(5) if m != n)


def test_placeholders_at_the_very_start_and_templates_without_manage_link():
    issue = prepared(html_template=f"{PLACEHOLDER_UNSUBSCRIBE}<p>x</p>", text_template=PLACEHOLDER_UNSUBSCRIBE)
    msg = email.message_from_bytes(build(issue).data, policy=policy.default)
    text, html = msg.iter_parts()
    assert text.get_content() == "https://news.example.com/newsletter/unsubscribe/tok1?a=1&b=2"
    assert html.get_content().startswith("https://news.example.com/newsletter/unsubscribe/tok1?a=1&amp;b=2")


def test_a_part_without_an_unsubscribe_link_is_refused():
    with pytest.raises(ValueError, match="text_template"):
        prepared(text_template="no link")


@pytest.mark.parametrize("field, value", [
    ("to_name", "x\r\nBcc: victim@example.com"),
    ("to_email", "reader@example.org\r\nBcc: victim@example.com"),
    ("unsubscribe_url", "https://news.example.com/u\r\nBcc: victim@example.com"),
    ("manage_url", "https://news.example.com/m\n"),
    ("unsubscribe_url", "https://news.example.com/u>, <https://evil.example/"),
    ("unsubscribe_url", "javascript:alert(1)"),
    ("to_name", "a\x00b"),
])
def test_header_injection_is_refused_per_recipient(field, value):
    with pytest.raises(ValueError):
        build(prepared(), **{field: value})


@pytest.mark.parametrize("field, value", [
    ("subject", "عنوان\r\nBcc: victim@example.com"),
    ("from_name", "نشرة\nBcc: victim@example.com"),
    ("from_email", "news@example.com\r\n"),
    ("site_name", "x\x00"),
    ("domain", "example.com\r\nX: y"),
    ("unsubscribe_mailto", "u@example.com?cc=victim@example.com"),
])
def test_header_injection_is_refused_per_issue(field, value):
    with pytest.raises(ValueError):
        prepared(**{field: value})


def test_ascii_names_are_quoted_when_they_hold_specials():
    issue = prepared(from_name='The "Morning" Brief, Cairo', site_name="Morning Brief")
    msg = email.message_from_bytes(build(issue, to_name="Sam O'Neil").data, policy=policy.default)
    assert msg["From"].addresses[0].display_name == 'The "Morning" Brief, Cairo'
    assert msg["To"].addresses[0].display_name == "Sam O'Neil"
    assert msg["List-Id"] == "Morning Brief <newsletter.news.example.com>"
    raw_from = re.search(rb"^From: .*$", build(issue).data, re.M).group(0)
    assert raw_from == b'From: "The \\"Morning\\" Brief, Cairo" <news@example.com>\r'


def test_signer_is_applied_to_every_message():
    issue = prepared(signer=lambda data: b"X-Signed: yes\r\n" + data)
    assert build(issue).data.startswith(b"X-Signed: yes\r\nFrom: ")
