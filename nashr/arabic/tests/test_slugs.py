"""Slugs: what an editor sees in the URL field for a given title."""

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nashr.arabic import slugify, unique_slug

# Django's validate_unicode_slug pattern (django/core/validators.py), which
# Wagtail applies to page slugs when WAGTAIL_ALLOW_UNICODE_SLUGS is on.
UNICODE_SLUG = re.compile(r"^[-\w]+\Z")

# Titles as editors type them: Arabic letters with harakat and tatweel,
# Arabic punctuation, digits of three kinds, invisible controls, some Latin.
title_chars = st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.sampled_from(list(" -—،؛؟!?.:«»\"'()0123456789٠١٢۳۴AbcZé\u200c\u200d\u200f\u202b\u2067\ufeff\u0640")),
)
titles = st.text(title_chars, max_size=200) | st.text(max_size=120)


def test_title_with_harakat_and_punctuation():
    assert slugify("الرئيسُ يزورُ القاهرةَ — اليومَ!") == "الرئيس-يزور-القاهرة-اليوم"


def test_nfd_input_gives_the_nfc_slug():
    title = "إعلان آخر أخبار المؤتمر في القاهرة"
    nfd = unicodedata.normalize("NFD", title)
    assert nfd != title  # أ إ آ decompose into alef + hamza/madda marks
    assert slugify(nfd) == slugify(title) == "إعلان-آخر-أخبار-المؤتمر-في-القاهرة"


def test_alef_and_hamza_forms_are_kept_as_written():
    assert slugify("أإآٱ ؤئءى ة") == "أإآٱ-ؤئءى-ة"


def test_tatweel_and_invisible_controls_are_removed_not_hyphenated():
    assert slugify("مـــرحـبـا") == "مرحبا"
    assert slugify("كتاب\u200cها \u200fالجديدة\u200e") == "كتابها-الجديدة"
    assert slugify("\ufeffعنوان\u2067 مع\u2069 عزل") == "عنوان-مع-عزل"


def test_arabic_punctuation_becomes_single_hyphens():
    assert slugify("أولاً، ثانياً؛ ثالثاً؟ نعم!!") == "أولا-ثانيا-ثالثا-نعم"


def test_digits_become_ascii_and_latin_is_lowercased():
    assert slugify("ميزانية ٢٠٢٦ و۱۴۰۵ لـ iPhone 16 Pro") == "ميزانية-2026-و1405-ل-iphone-16-pro"
    assert slugify("COVID-19: ما الجديد؟") == "covid-19-ما-الجديد"


def test_presentation_forms_become_letters():
    assert slugify("ﻻ ﺑﺄﺱ") == "لا-بأس"


def test_no_letters_or_digits_gives_the_fallback():
    assert slugify("؟؟؟") == "article"
    assert slugify("") == "article"
    assert slugify("ـــ ً ٌ") == "article"
    assert slugify("!!!", fallback="author") == "author"
    assert slugify("...", fallback="no-title", max_length=3) == "no"


def test_long_title_is_cut_at_a_hyphen_under_max_length():
    title = (
        "وزير الخارجية يبحث مع نظيره الأردني في عمّان سبل تعزيز التعاون "
        "الاقتصادي بين البلدين وتسهيل حركة التجارة عبر المعابر الحدودية"
    )
    full = slugify(title, max_length=1000)
    slug = slugify(title)
    assert len(full) > 80
    assert len(slug) <= 80
    assert full.startswith(slug + "-")  # whole words only


def test_one_very_long_word_is_cut_mid_word():
    slug = slugify("أ" + "ب" * 100, max_length=20)
    assert slug == "أ" + "ب" * 19


def test_cut_prefers_a_hyphen_only_when_it_keeps_half_the_length():
    assert slugify("قصة " + "ج" * 50, max_length=20) == "قصة-" + "ج" * 16


def test_invalid_arguments():
    with pytest.raises(ValueError):
        slugify("عنوان", max_length=0)
    with pytest.raises(ValueError):
        slugify("عنوان", fallback="")
    with pytest.raises(ValueError):
        slugify("عنوان", fallback="Not A Slug")


@given(titles, st.integers(min_value=1, max_value=120))
def test_slug_properties(title, max_length):
    slug = slugify(title, max_length=max_length)
    assert slug
    assert len(slug) <= max_length
    assert not slug.startswith("-") and not slug.endswith("-")
    assert "--" not in slug
    assert unicodedata.normalize("NFC", slug) == slug
    assert UNICODE_SLUG.match(slug)
    assert slugify(slug, max_length=max_length) == slug


def test_unique_slug_returns_a_free_base_unchanged():
    assert unique_slug("خبر-عاجل", set()) == "خبر-عاجل"


def test_unique_slug_counts_up_from_two():
    taken = {"خبر-عاجل", "خبر-عاجل-2", "خبر-عاجل-3"}
    assert unique_slug("خبر-عاجل", taken) == "خبر-عاجل-4"


def test_unique_slug_accepts_a_predicate():
    asked = []

    def taken(slug):
        asked.append(slug)
        return slug in {"تقرير", "تقرير-2"}

    assert unique_slug("تقرير", taken) == "تقرير-3"
    assert asked == ["تقرير", "تقرير-2", "تقرير-3"]


def test_unique_slug_stays_within_max_length():
    base = "المنتخب-الوطني-يتأهل-إلى-نهائيات-كأس"  # 36 characters
    taken = {base}
    results = []
    for _ in range(10):
        result = unique_slug(base, taken, max_length=38)
        assert len(result) <= 38
        assert result not in taken
        taken.add(result)
        results.append(result)
    assert results[0] == base + "-2"
    # From "-10" on the suffix needs 3 characters: the last word goes.
    assert results[-1] == "المنتخب-الوطني-يتأهل-إلى-نهائيات-11"


def test_unique_slug_errors():
    with pytest.raises(ValueError):
        unique_slug("", set())
    with pytest.raises(ValueError):
        unique_slug("خبر", {"خب"}, max_length=2)  # no room for "-2"


@given(titles, st.sets(st.text(max_size=6)), st.integers(min_value=4, max_value=60))
def test_unique_slug_properties(title, others, max_length):
    base = slugify(title, max_length=max_length)
    taken = others | {base, base + "-2"}
    result = unique_slug(base, taken, max_length=max_length)
    assert result not in taken
    assert len(result) <= max_length
    assert slugify(result, max_length=max_length) == result
