"""Dates as readers see them under a headline: Gregorian by region, Hijri."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hijridate import Hijri

from nashr.arabic import format_date, format_datetime, format_hijri
from nashr.arabic.dates import HIJRI_MONTHS

OCT_5 = date(2026, 10, 5)
ARABIC_INDIC = set("٠١٢٣٤٥٦٧٨٩")
BIDI_MARKS = set("\u200e\u200f\u061c")


@pytest.mark.parametrize("region", ["EG", "SA", "AE", "KW", "QA", "MA", "DZ", "TN", "LY", "SD", "YE"])
def test_transliterated_month_names(region):
    assert format_date(OCT_5, region=region) == "5 أكتوبر 2026"


@pytest.mark.parametrize("region", ["SY", "LB", "JO", "IQ", "PS"])
def test_levant_and_iraq_month_names(region):
    assert format_date(OCT_5, region=region) == "5 تشرين الأول 2026"
    assert format_date(date(2026, 5, 1), region=region) == "1 أيار 2026"


def test_algeria_and_tunisia_use_their_own_january():
    assert format_date(date(2026, 1, 1), region="DZ") == "1 جانفي 2026"
    assert format_date(date(2026, 1, 1), region="TN") == "1 جانفي 2026"
    assert format_date(date(2026, 1, 1), region="EG") == "1 يناير 2026"


def test_region_is_case_insensitive_and_unknown_regions_fall_back_to_ar():
    assert format_date(OCT_5, region="sy") == "5 تشرين الأول 2026"
    for region in ["XX", "FR", "", "e g", "../../etc", "ar_SY", "001"]:
        assert format_date(OCT_5, region=region) == "5 أكتوبر 2026"


@pytest.mark.parametrize("region", ["EG", "SA", "MA", "SY", "LB", "IQ", "XX"])
def test_digits_follow_the_argument_not_the_locale(region):
    latn = format_date(date(2026, 12, 31), region=region, digits="latn")
    arab = format_date(date(2026, 12, 31), region=region, digits="arab")
    assert latn.startswith("31 ") and latn.endswith(" 2026")
    assert arab.startswith("٣١ ") and arab.endswith(" ٢٠٢٦")
    assert not ARABIC_INDIC & set(latn)
    assert not set("0123456789") & set(arab)
    assert not BIDI_MARKS & set(latn + arab)


def test_weekday():
    assert format_date(OCT_5, with_weekday=True) == "الاثنين، 5 أكتوبر 2026"
    assert format_date(date(2026, 10, 9), region="IQ", with_weekday=True) == "الجمعة، 9 تشرين الأول 2026"


def test_a_datetime_gives_its_own_calendar_date():
    late = datetime(2026, 10, 5, 23, 59, tzinfo=timezone(timedelta(hours=3)))
    assert format_date(late) == "5 أكتوبر 2026"


def test_invalid_digits():
    with pytest.raises(ValueError):
        format_date(OCT_5, digits="arabic")


def test_datetime_in_the_readers_time_zone():
    utc = datetime(2026, 1, 15, 6, 5, tzinfo=timezone.utc)
    assert format_datetime(utc, region="SA", tz="Asia/Riyadh") == "15 يناير 2026، 9:05 ص"
    assert format_datetime(utc, region="LB", tz="Asia/Beirut") == "15 كانون الثاني 2026، 8:05 ص"
    assert format_datetime(utc, region="MA", tz="UTC") == "15 يناير 2026، 6:05 ص"


def test_datetime_crossing_midnight_changes_the_date():
    utc = datetime(2026, 10, 5, 22, 30, tzinfo=timezone.utc)
    assert format_datetime(utc, tz="Asia/Dubai", region="AE") == "6 أكتوبر 2026، 2:30 ص"


def test_naive_datetime_is_utc():
    assert format_datetime(datetime(2026, 1, 15, 0, 0)) == "15 يناير 2026، 12:00 ص"
    assert format_datetime(datetime(2026, 1, 15, 12, 0)) == "15 يناير 2026، 12:00 م"
    assert format_datetime(datetime(2026, 1, 15, 12, 0), tz="Africa/Cairo") == "15 يناير 2026، 2:00 م"


def test_datetime_digits_weekday_and_no_bidi_marks():
    value = datetime(2026, 10, 5, 17, 45, tzinfo=timezone.utc)
    text = format_datetime(value, region="JO", tz="Asia/Amman", digits="arab", with_weekday=True)
    assert text == "الاثنين، ٥ تشرين الأول ٢٠٢٦، ٨:٤٥ م"
    assert not BIDI_MARKS & set(text)


def test_datetime_errors():
    with pytest.raises(TypeError):
        format_datetime(OCT_5)
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 1, 1), tz="Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 1, 1), digits="hanidec")


def test_hijri_known_dates():
    assert format_hijri(date(2026, 10, 5)) == "24 ربيع الآخر 1448 هـ"
    assert format_hijri(date(2026, 2, 18)) == "1 رمضان 1447 هـ"
    assert format_hijri(date(2026, 3, 20)) == "1 شوال 1447 هـ"
    assert format_hijri(date(2025, 6, 26)) == "1 محرم 1447 هـ"
    assert format_hijri(datetime(2026, 5, 27, 20, 0)) == "10 ذو الحجة 1447 هـ"


def test_hijri_month_names_follow_cldr_order():
    assert len(HIJRI_MONTHS) == 12
    for month, name in enumerate(HIJRI_MONTHS, start=1):
        first = date(*Hijri(1447, month, 1).to_gregorian().datetuple())
        assert format_hijri(first) == f"1 {name} 1447 هـ"


def test_hijri_digits():
    assert format_hijri(date(2026, 10, 5), digits="arab") == "٢٤ ربيع الآخر ١٤٤٨ هـ"
    with pytest.raises(ValueError):
        format_hijri(date(2026, 10, 5), digits="persian")


def test_hijri_supported_range_edges():
    assert format_hijri(date(1924, 8, 1)) == "1 محرم 1343 هـ"
    assert format_hijri(date(2077, 11, 16)) == "30 ذو الحجة 1500 هـ"
    for outside in (date(1924, 7, 31), date(2077, 11, 17), date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(ValueError, match="outside the Umm al-Qura range"):
            format_hijri(outside)
