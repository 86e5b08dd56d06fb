"""Search keys: the words an article is indexed under and a query looks for.

Pure functions, used identically at index time and at query time. A word's
keys are its *folded* form (:func:`nashr.arabic.normalise_for_search`: no
harakat or tatweel, ``أ إ آ`` → ``ا``, ``ة`` → ``ه``, ``ى`` → ``ي``,
Arabic-Indic digits → ASCII, lower case) and its *stem*. A document holding
the folded word matches both keys of a query word and so scores above one
that only shares the stem (bm25 counts both): exact/folded matches rank above
stemmed ones.

Stemming is "light": the prefixes of Larkey's light10 stemmer (``و`` then one
of ``ال وال بال كال فال لل``; Larkey, Ballesteros & Connell, SIGIR 2002) are
removed first, then the Snowball Arabic stemmer (PyStemmer, the algorithm
Lucene and PostgreSQL use) is applied until the word stops changing — one
Snowball pass alone leaves ``والمدرسه`` and ``المدرسه`` with different stems.
A single attached ``ب ف ك ل`` (after an optional ``و``) is ambiguous
(``بيت``, ``فكره``), so when at least three letters follow it the word gets
a third, *alternative* key: the stem of the word without that letter
(``لبنك`` → ``بنك``, ``وباحتجاجات`` → ``احتجاج``). Latin-script words get the Snowball English stem.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from nashr.arabic import normalise_for_search
from nashr.arabic.normalise import normalise_exact

__all__ = ["WordKeys", "exact_words", "index_text", "search_terms", "word_keys", "words"]

# Runs of letters and digits (no underscore) in folded text.
_WORD = re.compile(r"[^\W_]+")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
_LATIN = re.compile(r"^[a-z]+$")
_DEFINITE = ("وال", "بال", "كال", "فال", "لل", "ال")  # light10, longest first
_ONE_LETTER = ("ب", "ف", "ك", "ل")

#: Separates the folded half of an indexed column from its stem half (see
#: :func:`index_text`), so a phrase never runs from one half into the next.
SEPARATOR = "zzsepzz"

_arabic_stemmer = Stemmer.Stemmer("arabic")
_english_stemmer = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order.

    >>> words("وَصَلَ الرَّئِيـــسُ إلى «بيروت» في ٢٠٢٦، مع Apple.")
    ['وصل', 'الرييس', 'الي', 'بيروت', 'في', '2026', 'مع', 'apple']
    >>> words("")
    []
    """
    return _WORD.findall(normalise_for_search(text or ""))


def exact_words(text: str) -> list[str]:
    """The words of ``text`` as written (:func:`nashr.arabic.normalise.normalise_exact`:
    no harakat or tatweel, lower case, ASCII digits, letters not folded),
    for the *exact* column that lifts exact matches above folded ones.

    >>> exact_words("أعلنَ الرئيـسُ عن مستشفى جديد في ٢٠٢٦")
    ['أعلن', 'الرئيس', 'عن', 'مستشفى', 'جديد', 'في', '2026']
    """
    return _WORD.findall(normalise_exact(text or ""))


def _light_prefix(word: str) -> str:
    if word.startswith("و") and len(word) > 3:
        word = word[1:]
    for prefix in _DEFINITE:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix):]
    return word


def _snowball_arabic(word: str) -> str:
    for _ in range(4):
        stemmed = _arabic_stemmer.stemWord(word)
        if stemmed == word or not stemmed:
            break
        word = stemmed
    return word


class WordKeys(tuple):
    """``(folded, stem, alternative)``; ``alternative`` is ``""`` if none."""

    __slots__ = ()

    @property
    def folded(self) -> str:
        return self[0]

    @property
    def stem(self) -> str:
        return self[1]

    @property
    def alternative(self) -> str:
        return self[2]

    @property
    def all(self) -> list[str]:
        """The distinct non-empty keys, folded form first."""
        out: list[str] = []
        for key in self:
            if key and key not in out:
                out.append(key)
        return out


@lru_cache(maxsize=65536)
def word_keys(word: str) -> WordKeys:
    """The keys of one *folded* word (an item of :func:`words`).

    The stem is never empty: a word the stemmer would erase keeps itself.

    >>> word_keys("المدرسه")
    ('المدرسه', 'مدرس', '')
    >>> word_keys("لمدرسه")
    ('لمدرسه', 'لمدرس', 'مدرس')
    >>> word_keys("لبنك")
    ('لبنك', 'لبن', 'بنك')
    >>> word_keys("وباحتجاجات")[2]
    'احتجاج'
    >>> word_keys("elections")
    ('elections', 'elect', '')
    >>> word_keys("2026")
    ('2026', '2026', '')
    """
    if _ARABIC.search(word):
        stem = _snowball_arabic(_light_prefix(word)) or word
        alternative = ""
        rest = word[1:] if word[0] == "و" and len(word) >= 5 else word
        if rest[0] in _ONE_LETTER and len(rest) >= 4:
            alternative = _snowball_arabic(_light_prefix(rest[1:])) or ""
            if alternative == stem:
                alternative = ""
    elif _LATIN.match(word):
        stem = _english_stemmer.stemWord(word) or word
        alternative = ""
    else:
        stem, alternative = word, ""
    return WordKeys((word, stem, alternative))


def search_terms(text: str) -> list[str]:
    """Every distinct index key of ``text``, in order of first appearance:
    for each word its folded form, then its stem (and alternative stem)
    when they differ.

    Variants of one word share a key:

    >>> search_terms("المدرسة")
    ['المدرسه', 'مدرس']
    >>> search_terms("مدرسه")
    ['مدرسه', 'مدرس']
    >>> search_terms("بالمدرسة")
    ['بالمدرسه', 'مدرس']
    >>> search_terms("والمدرسة")
    ['والمدرسه', 'مدرس']
    >>> set(search_terms("لمدرسة")) & set(search_terms("المدرسة"))
    {'مدرس'}

    Hamza forms of alef, alef maqsura, harakat, tatweel and Arabic-Indic
    digits fold away:

    >>> search_terms("أحمد") == search_terms("احمد") == search_terms("إحمد")
    True
    >>> search_terms("مُسْتَشْفَى") == search_terms("مستشفي")
    True
    >>> search_terms("الرئيـــــس") == search_terms("الرئيس")
    True
    >>> search_terms("عام ٢٠٢٦")
    ['عام', '2026']
    >>> search_terms("")
    []
    """
    out: list[str] = []
    seen: set[str] = set()
    for word in words(text):
        for key in word_keys(word).all:
            if key not in seen:
                seen.add(key)
                out.append(key)
    return out


def index_text(text: str) -> str:
    """The string stored in one full-text column for ``text``: the folded
    words in order, :data:`SEPARATOR`, the stems in order, and then any
    alternative stems. Keeping each half in text order lets a quoted phrase
    match on consecutive folded words or on consecutive stems.

    >>> index_text("المدرسة الجديدة")
    'المدرسه الجديده zzsepzz مدرس جديد'
    >>> index_text("")
    ''
    """
    keys = [word_keys(w) for w in words(text)]
    if not keys:
        return ""
    parts = [k.folded for k in keys] + [SEPARATOR] + [k.stem for k in keys]
    parts += [k.alternative for k in keys if k.alternative]
    return " ".join(parts)
