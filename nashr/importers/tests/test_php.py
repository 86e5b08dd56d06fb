"""Serialized PHP postmeta: read without running anything, tolerant of
changed line endings, and every malformed value a clean error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nashr.importers.wordpress.php import MAX_DEPTH, PhpUnserializeError, looks_serialized, php_unserialize


def s(text: str) -> str:
    return f's:{len(text.encode())}:"{text}";'


def test_wordpress_attachment_metadata():
    value = ('a:3:{s:5:"width";i:1200;s:5:"sizes";a:1:{s:6:"medium";a:2:{' + s("file") + s("a-300x200.jpg")
             + 's:5:"width";i:300;}}s:10:"image_meta";a:3:{' + s("credit") + s("علي حسن") + s("copyright")
             + s("© وكالة") + 's:12:"aperture";d:2.8;}}')
    # (the last key's declared length is wrong on purpose: 8 bytes, declared 12)
    with pytest.raises(PhpUnserializeError):
        php_unserialize(value)
    value = value.replace('s:12:"aperture"', 's:8:"aperture"')
    meta = php_unserialize(value)
    assert meta["width"] == 1200 and meta["sizes"]["medium"]["file"] == "a-300x200.jpg"
    assert meta["image_meta"] == {"credit": "علي حسن", "copyright": "© وكالة", "aperture": 2.8}


def test_scalars_lists_and_null():
    assert php_unserialize("N;") is None
    assert php_unserialize("b:1;") is True and php_unserialize("i:-7;") == -7
    assert php_unserialize('a:2:{i:0;s:1:"a";i:1;b:0;}') == {0: "a", 1: False}


def test_objects_are_never_instantiated():
    # a class that would run code on wake-up in PHP (a classic gadget chain)
    value = 'O:20:"Monolog\\Handler\\Evil":2:{s:4:"\\0*\\0x";s:2:"rm";s:1:"y";a:0:{}}'
    result = php_unserialize(value.replace("\\0", "\0"))
    assert result == {"__class__": "Monolog\\Handler\\Evil", "x": "rm", "y": {}}
    assert php_unserialize('C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}') == "x:i:0;a:0:{};m:a:0:{}"
    assert php_unserialize('a:1:{i:0;r:1;}') == {0: None}


@pytest.mark.parametrize("stored,declared", [
    ("سطر\nسطر", "سطر\r\nسطر"),      # CRLF became LF: declared length is one byte longer
    ("a\r\nb\r\nc", "a\nb\nc"),       # LF became CRLF: declared length is shorter
])
def test_line_ending_mismatch_is_tolerated(stored, declared):
    value = f'a:2:{{s:7:"caption";s:{len(declared.encode())}:"{stored}";s:5:"after";i:1;}}'
    assert php_unserialize(value) == {"caption": stored, "after": 1}


@pytest.mark.parametrize("value", [
    "", "x", 's:5:"abc";', "a:2:{i:0;i:1;}", "i:1", "a:-1:{}", 'O:3:"abc":1:{', "d:abc;",
    "a:1:{a:0:{}i:1;}", "i:1;trailing",
])
def test_malformed_values_raise_a_clean_error(value):
    with pytest.raises(PhpUnserializeError):
        php_unserialize(value)


def test_nesting_is_limited():
    deep = "a:1:{i:0;" * (MAX_DEPTH + 5) + "N;" + "}" * (MAX_DEPTH + 5)
    with pytest.raises(PhpUnserializeError, match="deeply"):
        php_unserialize(deep)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(alphabet='asiObdNC:;{}"0123456789-.r', max_size=80))
def test_any_input_gives_a_value_or_a_clean_error(data):
    try:
        php_unserialize(data)
    except PhpUnserializeError:
        pass


def test_looks_serialized():
    assert looks_serialized('a:1:{i:0;i:1;}') and looks_serialized("i:5;")
    assert not looks_serialized("plain text") and not looks_serialized("")
