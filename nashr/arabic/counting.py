"""Arabic phrases for "N things": the noun takes the form CLDR's Arabic
plural rules ask for (Unicode CLDR ``plurals.xml``, locale ``ar``).

One helper for every count the site prints — reading time, link lifetimes,
comment counts — so the rules live in one place.
"""

from __future__ import annotations

from .digits import apply_digits


def plural_category(n: int) -> str:
    """CLDR plural category of a non-negative integer in Arabic: zero n=0;
    one n=1; two n=2; few n%100=3..10; many n%100=11..99; other the rest
    (100, 101, 102, 200, ...).

    >>> [plural_category(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)]
    ['zero', 'one', 'two', 'few', 'few', 'many', 'many', 'other', 'other', 'few', 'many']
    """
    if n == 0:
        return "zero"
    if n == 1:
        return "one"
    if n == 2:
        return "two"
    if 3 <= n % 100 <= 10:
        return "few"
    if 11 <= n % 100 <= 99:
        return "many"
    return "other"


def count_phrase(n: int, *, one: str, two: str, few: str, many: str, other: str | None = None,
                 zero: str | None = None, digits: str = "latn") -> str:
    """``n`` with its noun in the right form.

    ``one``, ``two`` and ``zero`` are whole phrases ("دقيقة واحدة",
    "دقيقتان", "لا تعليقات"); ``few``, ``many`` and ``other`` are patterns
    with ``{n}`` for the number ("{n} دقائق"). ``other`` defaults to
    ``many`` (most nouns read the same after 11 and after 100), ``zero`` to
    ``other``. ``digits`` is ``"latn"`` or ``"arab"`` (Arabic-Indic).

    Raises:
        ValueError: ``n`` < 0, or ``digits`` unknown.

    >>> hours = dict(one="ساعة واحدة", two="ساعتين", few="{n} ساعات", many="{n} ساعة")
    >>> [count_phrase(n, **hours) for n in (1, 2, 3, 11, 72, 100)]
    ['ساعة واحدة', 'ساعتين', '3 ساعات', '11 ساعة', '72 ساعة', '100 ساعة']
    >>> count_phrase(5, **hours, digits="arab")
    '٥ ساعات'
    """
    if n < 0:
        raise ValueError(f"a count must be >= 0, not {n}")
    category = plural_category(n)
    other = many if other is None else other
    form = {"zero": other if zero is None else zero, "one": one, "two": two, "few": few,
            "many": many, "other": other}[category]
    return apply_digits(form.replace("{n}", str(n)), digits)
