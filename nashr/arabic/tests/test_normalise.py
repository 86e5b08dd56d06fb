"""Search normalisation: the index and the query must meet."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nashr.arabic import normalise_for_search


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آخر", "اخر"),
        ("ٱلرَّحْمَٰن", "الرحمن"),  # alef wasla, harakat and dagger alef
        ("مستشفى", "مستشفي"),
        ("مدرسة", "مدرسه"),
        ("مؤتمر", "موتمر"),
        ("رئيس", "رييس"),
        ("کتاب", "كتاب"),  # Persian kaf
        ("فارسی", "فارسي"),  # Persian yeh
        ("خانە", "خانه"),  # Kurdish ae
        ("جميـــل", "جميل"),  # tatweel
        ("ﻻ ﺑﺄﺱ", "لا باس"),  # presentation forms
        ("عام ٢٠٢٦ و۱۴۰۵", "عام 2026 و1405"),
        ("می\u200cخواهم", "ميخواهم"),  # ZWNJ removed
        ("\u202bنص\u202c \u2067معزول\u2069\u200f", "نص معزول"),
        ("iPhone  16\tPRO\n", "iphone 16 pro"),
        ("  مسافات   كثيرة  ", "مسافات كثيره"),
        ("قُرْآنٌ ۝ ۖ", "قران"),  # Quranic marks: U+06DD, U+06D6
    ],
)
def test_folding(text, folded):
    assert normalise_for_search(text) == folded


def test_query_and_index_forms_meet():
    indexed = normalise_for_search("أعلنت الحكومةُ المصريّة عن مبادرةٍ جديدة للإسكان")
    typed = normalise_for_search("اعلنت الحكومه المصريه عن مبادره جديده للاسكان")
    assert indexed == typed


def test_nfd_and_nfc_input_agree():
    text = "إِنَّ آباءَنا أسّسوا هذه المؤسّسة"
    assert normalise_for_search(unicodedata.normalize("NFD", text)) == normalise_for_search(text)


def test_only_marks_and_controls_give_an_empty_string():
    assert normalise_for_search("") == ""
    assert normalise_for_search("ـــ َ ً \u200c \u200f") == ""


def test_punctuation_is_kept_for_the_tokeniser():
    assert normalise_for_search("نعم، لا؟") == "نعم، لا؟"


@given(st.text())
def test_never_raises_and_is_idempotent(text):
    once = normalise_for_search(text)
    assert normalise_for_search(once) == once
    assert once == once.strip()
    assert "  " not in once


arabic_letters = st.characters(min_codepoint=0x0621, max_codepoint=0x064A).filter(lambda c: c != "\u0640")
harakat = st.characters(min_codepoint=0x064B, max_codepoint=0x0652)
arabic_words = st.lists(st.tuples(arabic_letters, st.lists(harakat, max_size=2)), min_size=1, max_size=12).map(
    lambda pairs: "".join(letter + "".join(marks) for letter, marks in pairs)
)


@given(arabic_words)
def test_an_arabic_word_stays_one_non_empty_word(word):
    folded = normalise_for_search(word)
    assert folded
    assert " " not in folded
    assert len(folded) <= len(word)
    assert normalise_for_search(unicodedata.normalize("NFD", word)) == folded


@given(st.text(st.one_of(arabic_letters, harakat, st.sampled_from(list(" \u0640\u200c٠٩۴أإآىةؤئکی")))))
def test_folded_arabic_uses_only_base_letters(text):
    folded = normalise_for_search(text)
    assert not set(folded) & set("أإآٱىةؤئکیـ\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u200c")
    assert not set(folded) & set("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")


# --- the exact form (letters as written) ------------------------------------

from nashr.arabic.normalise import normalise_exact  # noqa: E402


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("أَحْمَد", "أحمد"),  # harakat go, hamza stays
        ("المدرسةُ", "المدرسة"),  # ta marbuta stays
        ("مستشفى", "مستشفى"),  # alef maqsura stays
        ("الرئيـــس", "الرئيس"),  # tatweel goes
        ("عام ٢٠٢٦", "عام 2026"),
        ("\u202bنص\u202c", "نص"),
        ("Apple", "apple"),
    ],
)
def test_exact_form(text, exact):
    assert normalise_exact(text) == exact


@given(st.text())
def test_exact_form_never_raises_is_idempotent_and_folds_to_the_search_form(text):
    once = normalise_exact(text)
    assert normalise_exact(once) == once
    assert normalise_exact(unicodedata.normalize("NFD", text)) == normalise_exact(unicodedata.normalize("NFC", text))
    assert normalise_for_search(once) == normalise_for_search(text)
