"""Digit shapes used by dates, counts and reading times."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nashr.arabic import apply_digits, to_arabic_indic, to_western


def test_round_trip_of_all_ten_digits():
    assert to_arabic_indic("0123456789") == "٠١٢٣٤٥٦٧٨٩"
    assert to_western("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_western("۰۱۲۳۴۵۶۷۸۹") == "0123456789"


def test_apply_digits_normalises_mixed_text():
    mixed = "العدد ١٢ من عام 2026 وصفحة ۴۵"
    assert apply_digits(mixed, "latn") == "العدد 12 من عام 2026 وصفحة 45"
    assert apply_digits(mixed, "arab") == "العدد ١٢ من عام ٢٠٢٦ وصفحة ٤٥"


@pytest.mark.parametrize("bad", ["", "LATN", "arabext", "persian", "hindi"])
def test_apply_digits_rejects_unknown_systems(bad):
    with pytest.raises(ValueError):
        apply_digits("1", bad)


@given(st.text())
def test_only_digits_change(text):
    for system in ("latn", "arab"):
        result = apply_digits(text, system)
        assert len(result) == len(text)
        assert to_western(result) == to_western(text)
        assert apply_digits(result, system) == result
