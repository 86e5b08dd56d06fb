"""Arabic text handling for Nashr: pure functions, no Django models or settings.

Callers pass every option in (region, digits, time zone, lengths), so the same
functions serve templates, the search index, importers and tests.

- :mod:`.slugs` — readable Unicode slugs: :func:`slugify`, :func:`unique_slug`
- :mod:`.counting` — :func:`count_phrase` ("N things" with CLDR plural forms)
- :mod:`.reading` — :func:`strip_html`, :func:`word_count`,
  :func:`reading_time_minutes`, :func:`format_reading_time`
- :mod:`.digits` — :func:`to_arabic_indic`, :func:`to_western`, :func:`apply_digits`
- :mod:`.dates` — :func:`format_date`, :func:`format_datetime`, :func:`format_hijri`
- :mod:`.bidi` — :func:`isolate_ltr`, :func:`isolate_ltr_html`
- :mod:`.normalise` — :func:`normalise_for_search`
"""

from .counting import count_phrase
from .bidi import isolate_ltr, isolate_ltr_html, strip_bidi_controls
from .dates import format_date, format_datetime, format_hijri
from .digits import apply_digits, to_arabic_indic, to_western
from .normalise import normalise_for_search
from .reading import format_reading_time, reading_time_minutes, strip_html, word_count
from .slugs import slugify, unique_slug

__all__ = [
    "apply_digits",
    "count_phrase",
    "format_date",
    "format_datetime",
    "format_hijri",
    "format_reading_time",
    "isolate_ltr",
    "isolate_ltr_html",
    "normalise_for_search",
    "reading_time_minutes",
    "slugify",
    "strip_html",
    "to_arabic_indic",
    "to_western",
    "unique_slug",
    "word_count",
]
