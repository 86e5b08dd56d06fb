"""Word counts and the reading time shown under an article's headline."""

import math
from pathlib import Path

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from nashr.arabic import format_reading_time, reading_time_minutes, strip_html, word_count
from nashr.arabic.counting import plural_category
from nashr.arabic.reading import ARABIC_WORDS_PER_MINUTE

# An original ~700-word Arabic news report (a town library reopening), seven
# paragraphs, one per line; every word is separated by a space.
REPORT = (Path(__file__).parent / "files" / "library_reopening.txt").read_text(encoding="utf-8")


def test_report_word_count_matches_a_plain_space_count():
    # The report has no punctuation standing alone, so every space-separated
    # token is one word.
    words = word_count(REPORT)
    assert words == len(REPORT.split()) == 704


def test_report_reading_time_is_words_over_138_rounded_up():
    words = word_count(REPORT)
    assert ARABIC_WORDS_PER_MINUTE == 138
    assert reading_time_minutes(REPORT) == math.ceil(words / 138) == 6
    assert format_reading_time(reading_time_minutes(REPORT)) == "6 دقائق"


def test_report_as_html_reads_the_same():
    html = "".join(f"<p>{line}</p>" for line in REPORT.splitlines())
    html = '<h2 class="standfirst">مكتبة</h2>' + html + "<script>track('read');</script>"
    text = strip_html(html)
    assert word_count(text) == 705
    assert reading_time_minutes(text) == math.ceil(705 / 138)


def test_strip_html_entities_blocks_and_hidden_content():
    html = (
        "<article><h1>العنوان</h1><p>قال <em>الوزير</em>&nbsp;إن &laquo;الخطة&raquo; "
        "تبدأ&hellip;</p><!-- ملاحظة داخلية --><style>p { color: red }</style>"
        "<ul><li>أولاً</li><li>ثانياً</li></ul>سطر<br>آخر</article>"
    )
    assert strip_html(html) == "العنوان\nقال الوزير إن «الخطة» تبدأ…\nأولاً\nثانياً\nسطر\nآخر"


def test_strip_html_keeps_inline_pieces_of_one_word_together():
    assert strip_html("<b>المكتب</b><i>ات</i>") == "المكتبات"
    assert word_count(strip_html("<b>المكتب</b><i>ات</i>")) == 1


def test_strip_html_of_plain_text_and_broken_markup():
    assert strip_html("نص عادي") == "نص عادي"
    assert strip_html("") == ""
    assert strip_html("<p>نص بلا إغلاق") == "نص بلا إغلاق"
    assert strip_html("٣ < ٥ &amp; ٥ > ٣") == "٣ < ٥ & ٥ > ٣"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("— … ! ؟ ، «»", 0),
        ("ـــ", 0),  # tatweel alone is not a word
        ("وبكتابهم", 1),  # prefix and suffix attached: one word
        ("كَتَبَ الطَّالِبُ الدَّرْسَ", 3),  # harakat never split a word
        ("فاز المنتخب 3-1 في الدقيقة 90+2", 6),
        ("أطلقت Wagtail 8.0 وCOVID-19 وNew York Times", 7),
        ("السلام—عليكم", 2),  # a dash typed without spaces separates words
        ("نعم،لا؛ربما؟", 3),  # so does Arabic punctuation typed without spaces
        ("می\u200cخواهم", 1),  # ZWNJ joins a Persian word
        ("كلمة\u200bكلمة", 2),  # zero-width space separates
    ],
)
def test_word_count(text, words):
    assert word_count(text) == words


def test_reading_time_bounds():
    assert reading_time_minutes("") == 0
    assert reading_time_minutes(" \n ") == 0
    assert reading_time_minutes("!") == 1  # not empty: at least a minute
    assert reading_time_minutes("خبر") == 1
    assert reading_time_minutes("كلمة " * 138) == 1
    assert reading_time_minutes("كلمة " * 139) == 2
    assert reading_time_minutes("word " * 460, words_per_minute=230) == 2


def test_reading_time_rejects_a_non_positive_speed():
    with pytest.raises(ValueError):
        reading_time_minutes("نص", words_per_minute=0)


@given(st.text(max_size=400), st.integers(min_value=1, max_value=400))
def test_reading_time_is_ceil_of_words_over_speed(text, wpm):
    minutes = reading_time_minutes(text, words_per_minute=wpm)
    if not text.strip():
        assert minutes == 0
    else:
        assert minutes == max(1, math.ceil(word_count(text) / wpm))


@pytest.mark.parametrize(
    ("minutes", "phrase"),
    [
        (0, "0 دقيقة"),
        (1, "دقيقة واحدة"),
        (2, "دقيقتان"),
        (3, "3 دقائق"),
        (10, "10 دقائق"),
        (11, "11 دقيقة"),
        (25, "25 دقيقة"),
        (99, "99 دقيقة"),
        (100, "100 دقيقة"),
        (101, "101 دقيقة"),
        (102, "102 دقيقة"),
        (103, "103 دقائق"),
        (110, "110 دقائق"),
        (111, "111 دقيقة"),
        (1000, "1000 دقيقة"),
    ],
)
def test_format_reading_time_plural_forms(minutes, phrase):
    assert format_reading_time(minutes) == phrase


def test_format_reading_time_digits():
    assert format_reading_time(7, digits="arab") == "٧ دقائق"
    assert format_reading_time(15, digits="arab") == "١٥ دقيقة"
    assert format_reading_time(1, digits="arab") == "دقيقة واحدة"
    with pytest.raises(ValueError):
        format_reading_time(7, digits="roman")
    with pytest.raises(ValueError):
        format_reading_time(-1)


def test_plural_categories_agree_with_cldr_via_babel():
    arabic = Locale.parse("ar")
    for n in range(0, 1201):
        assert plural_category(n) == arabic.plural_form(n), n
