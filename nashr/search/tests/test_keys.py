"""Property tests of the search keys (hypothesis): whatever the text, keys
are made without error, are stable, and never vanish for an Arabic word."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from nashr.search.keys import index_text, search_terms, word_keys, words
from nashr.search.query import fts_match, query_parse

arabic_letters = st.characters(min_codepoint=0x0621, max_codepoint=0x064A).filter(lambda c: c != "\u0640")
harakat = st.characters(min_codepoint=0x064B, max_codepoint=0x0652)
arabic_words = st.lists(st.tuples(arabic_letters, st.lists(harakat, max_size=2)), min_size=1, max_size=12).map(
    lambda pairs: "".join(letter + "".join(marks) for letter, marks in pairs)
)
prefixes = st.sampled_from(["", "و", "ب", "ف", "ك", "ل", "ال", "وال", "بال", "فال", "كال", "لل"])


@settings(max_examples=300)
@given(st.text())
def test_keys_never_raise_on_any_text(text):
    terms = search_terms(text)
    assert all(t and " " not in t for t in terms)
    assert isinstance(index_text(text), str)
    parsed = query_parse(text)
    if parsed:
        assert fts_match(parsed)


@settings(max_examples=300)
@given(st.text())
def test_keys_are_idempotent(text):
    """Keying the folded words again gives the same keys, and a stem is its
    own stem (so a stem typed as a query finds itself)."""
    folded = " ".join(words(text))
    assert search_terms(folded) == search_terms(text)
    for word in words(text):
        keys = word_keys(word)
        assert word_keys(keys.folded) == keys


@settings(max_examples=300)
@given(prefixes, arabic_words)
def test_a_non_empty_arabic_word_never_gets_an_empty_key(prefix, word):
    text = prefix + word
    found = words(text)
    assert found, text
    for w in found:
        keys = word_keys(w)
        assert keys.folded and keys.stem


@settings(max_examples=300)
@given(st.text())
def test_nfc_and_nfd_give_the_same_keys(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert search_terms(nfc) == search_terms(nfd)
    assert index_text(nfc) == index_text(nfd)


@given(arabic_words)
def test_nfc_and_nfd_arabic_words_give_the_same_keys(word):
    assert search_terms(unicodedata.normalize("NFD", word)) == search_terms(unicodedata.normalize("NFC", word))
