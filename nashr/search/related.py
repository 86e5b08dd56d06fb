"""Related articles (مقالات ذات صلة): the similarity measure, pure.

Vectors come from the stored search keys of an article
(:class:`nashr.search.models.ArticleSearchEntry`), so related articles and
search agree on what a word is: folded, light-stemmed Arabic (and stemmed
English). Only the *stems* are used, so ``المدرسة``, ``بالمدرسة`` and
``مدرسة`` count as one term.

Weighting is SMART ``lnc.ltc`` (Salton & Buckley, "Term-weighting approaches
in automatic text retrieval", 1988; Manning, Raghavan & Schütze, *Introduction
to Information Retrieval*, §6.4.3): the article whose list is computed (the
"query") gets ``(1 + ln tf) · idf``, a candidate gets ``1 + ln tf``, both are
cosine-normalised and the score is their dot product. Candidates need no
document frequencies of their own terms, which keeps one computation to a
few index look-ups on large sites. ``tf`` counts a term once per occurrence
in the body and :data:`FIELD_WEIGHTS` times in title, standfirst and tags.

The content score is then boosted (:func:`related_score`): shared tags, the
same section, and closeness in publication date.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import mul

from .keys import SEPARATOR

__all__ = [
    "FIELD_WEIGHTS", "MAX_ITEMS", "MIN_ITEMS", "Candidate", "VectorStore", "cosine", "entry_vector",
    "query_vector", "related_score", "related_select", "stems_of",
]

#: How many times a stem in each column counts, against once in the body.
FIELD_WEIGHTS = {"title_keys": 3.0, "standfirst_keys": 2.0, "tags_keys": 3.0, "body_keys": 1.0}
#: A list holds at most this many articles ...
MAX_ITEMS = 6
#: ... and keeps at least this many when that many are similar at all.
MIN_ITEMS = 3
#: Content similarity below this is no relation (the two share only a few
#: common words).
MIN_COSINE = 0.06
#: Beyond :data:`MIN_ITEMS`, an item must score at least this share of the best.
KEEP_SHARE = 0.35
#: Terms of the query article held by more than this share of all articles
#: carry almost no information and are left out of the query vector.
MAX_DF_SHARE = 0.5
#: ... once there are at least this many (on a tiny site a topic's own
#: words are in half of the articles).
MIN_DOCS_FOR_DF_CUT = 40
#: Boosts (see :func:`related_score`).
TAG_BOOST = 0.15
TAG_BOOST_CAP = 3
SECTION_BOOST = 0.10
RECENCY_HALF_LIFE_DAYS = 365.0
RECENCY_WEIGHT = 0.25


def stems_of(column: str) -> list[str]:
    """The stems of one stored key column (:func:`nashr.search.keys.index_text`):
    the half after :data:`~nashr.search.keys.SEPARATOR`, as many words as the
    folded half (alternative stems, which follow, are left out).

    >>> stems_of("المدرسه الجديده zzsepzz مدرس جديد")
    ['مدرس', 'جديد']
    >>> stems_of("بالمدرسه zzsepzz مدرس بالمدرس")
    ['مدرس']
    >>> stems_of("")
    []
    """
    parts = (column or "").split()
    if SEPARATOR not in parts:
        return []
    cut = parts.index(SEPARATOR)
    return parts[cut + 1: cut + 1 + cut]


def entry_tf(columns: dict[str, str]) -> Counter:
    """Weighted term counts of one article from its key columns
    (``{column name: stored keys}``; unknown columns are ignored)."""
    tf: Counter = Counter()
    for name, weight in FIELD_WEIGHTS.items():
        # counted in C first (Counter of a list), then weighted once per
        # distinct stem: the same sums, several times faster on long bodies
        for stem, n in Counter(stems_of(columns.get(name, ""))).items():
            if len(stem) > 1:
                tf[stem] += weight * n
    return tf


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if not norm:
        return {}
    return {t: w / norm for t, w in weights.items()}


def entry_vector(tf: Counter) -> dict[str, float]:
    """Candidate side (``lnc``): ``1 + ln tf``, cosine-normalised.

    >>> v = entry_vector(Counter({"مدرس": 1.0, "جديد": 1.0}))
    >>> round(v["مدرس"], 4)
    0.7071
    """
    return _normalised({t: 1.0 + math.log(c) for t, c in tf.items() if c >= 1})


def query_vector(tf: Counter, *, df: dict[str, int], total: int) -> dict[str, float]:
    """Query side (``ltc``): ``(1 + ln tf) · ln(N / df)``, normalised.

    ``df`` maps a term to the number of indexed articles holding it and
    ``total`` is the number of indexed articles (N). A term missing from
    ``df`` counts as held by one article; terms held by more than
    :data:`MAX_DF_SHARE` of the articles are dropped.

    >>> v = query_vector(Counter({"زلزال": 2.0, "قال": 2.0}), df={"زلزال": 2, "قال": 90}, total=100)
    >>> sorted(v)
    ['زلزال']
    """
    total = max(total, 1)
    out: dict[str, float] = {}
    for term, count in tf.items():
        if count < 1:
            continue
        n = max(1, df.get(term, 1))
        if total >= MIN_DOCS_FOR_DF_CUT and n > MAX_DF_SHARE * total:
            continue
        idf = math.log((total + 1) / n)
        if idf > 0:
            out[term] = (1.0 + math.log(count)) * idf
    return _normalised(out)


def cosine(query: dict[str, float], candidate: dict[str, float]) -> float:
    """Dot product of two normalised vectors (0…1).

    >>> cosine({"a": 1.0}, {"a": 0.6, "b": 0.8})
    0.6
    """
    if len(candidate) < len(query):
        return sum(w * query.get(t, 0.0) for t, w in candidate.items())
    return sum(w * candidate.get(t, 0.0) for t, w in query.items())


class VectorStore:
    """Candidate vectors (:func:`entry_vector`) of many articles, held
    compactly for a batch computation: each as its term numbers in a shared
    vocabulary (``array('i')``) and its weights as 32-bit floats
    (``array('f')``, 7 significant digits: far finer than the 6 decimals a
    stored score keeps), about 8 bytes a term where a ``dict`` of ``str`` →
    ``float`` takes over 100.

    :meth:`trim` (called between batches, never while one is being scored)
    keeps at most ``max_terms`` terms: past that it forgets the half of the
    vectors least recently put or asked for with :meth:`keep` (they are read
    again when needed). Similarity
    is :meth:`cosine` against a query from :meth:`query`: the same dot
    product as :func:`cosine` with the weights so rounded, summed in the
    candidate's term order (so every computation of one list gives the same
    score to the last digit, whichever path it takes).

    >>> store = VectorStore(max_terms=100)
    >>> store.put(7, {"مدرس": 0.6, "جديد": 0.8})
    >>> round(store.cosine(store.query({"جديد": 1.0}), 7), 4)
    0.8
    >>> 7 in store, 8 in store
    (True, False)
    """

    def __init__(self, *, max_terms: int) -> None:
        self.max_terms = max_terms
        self._vocabulary: dict[str, int] = {}
        self._vectors: dict[int, tuple[array, array, object]] = {}
        self._terms = 0

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def _number(self, term: str) -> int:
        number = self._vocabulary.get(term)
        if number is None:
            number = self._vocabulary[term] = len(self._vocabulary)
        return number

    def trim(self) -> None:
        """Forget the older half of the vectors if more than ``max_terms``
        terms are held."""
        if self._terms > self.max_terms:
            for old in list(self._vectors)[:len(self._vectors) // 2 + 1]:  # dicts keep insertion order
                self._terms -= len(self._vectors.pop(old)[0])

    def keep(self, article_id: int) -> bool:
        """True when a vector is held for ``article_id``, which then counts
        as the most recently used."""
        held = self._vectors.pop(article_id, None)
        if held is None:
            return False
        self._vectors[article_id] = held
        return True

    def put(self, article_id: int, vector: dict[str, float], about=None) -> None:
        """Hold ``vector`` (``{term: weight}``) as article ``article_id``'s,
        with ``about``: whatever else the caller keeps of the article
        (:meth:`about` gives it back; ``None`` by default)."""
        number = self._number
        old = self._vectors.pop(article_id, None)
        if old is not None:
            self._terms -= len(old[0])
        self._vectors[article_id] = (array("i", [number(t) for t in vector]), array("f", vector.values()), about)
        self._terms += len(vector)

    def about(self, article_id: int):
        """What was put with article ``article_id``'s vector; ``None`` when
        none is held."""
        held = self._vectors.get(article_id)
        return None if held is None else held[2]

    def query(self, query: dict[str, float]) -> dict[int, float]:
        """A query vector (``{term: weight}``) in this store's term numbers."""
        number = self._number
        return {number(t): w for t, w in query.items()}

    def cosine(self, query: dict[int, float], article_id: int) -> float:
        """Dot product of ``query`` (from :meth:`query`) and the vector held
        for ``article_id`` (``KeyError`` when none is held)."""
        terms, weights, _about = self._vectors[article_id]
        return sum(map(mul, weights, map(query.get, terms, repeat(0.0))))


@dataclass
class Candidate:
    """What the boosts need to know about a possible related article."""

    article_id: int
    content: float  # cosine, 0…1
    shared_tags: int = 0
    same_section: bool = False
    days_apart: float = 0.0  # |difference of publication dates| in days
    score: float = 0.0


def related_score(candidate: Candidate) -> float:
    """The stored score: content similarity times the boosts

    ``(1 + TAG_BOOST · min(shared tags, TAG_BOOST_CAP))``
    ``· (1 + SECTION_BOOST if same section)``
    ``· (1 − RECENCY_WEIGHT + RECENCY_WEIGHT · 2^(−days apart / RECENCY_HALF_LIFE_DAYS))``.

    Boosts only reorder articles that are already similar by content: an
    article with nothing in common scores 0 whatever its tags.

    >>> related_score(Candidate(1, 0.5))
    0.5
    >>> round(related_score(Candidate(1, 0.5, shared_tags=2, same_section=True, days_apart=365)), 4)
    0.6256
    """
    if candidate.content <= 0:
        return 0.0
    tags = 1.0 + TAG_BOOST * min(candidate.shared_tags, TAG_BOOST_CAP)
    section = 1.0 + (SECTION_BOOST if candidate.same_section else 0.0)
    recency = 1.0 - RECENCY_WEIGHT + RECENCY_WEIGHT * 2.0 ** (-candidate.days_apart / RECENCY_HALF_LIFE_DAYS)
    return candidate.content * tags * section * recency


def related_select(candidates: list[Candidate]) -> list[Candidate]:
    """Score, order (best first, then newest id) and cut a list of
    candidates: at most :data:`MAX_ITEMS`; content similarity at least
    :data:`MIN_COSINE`; past :data:`MIN_ITEMS`, at least :data:`KEEP_SHARE`
    of the best score.

    >>> picked = related_select([Candidate(i, c) for i, c in enumerate([0.9, 0.8, 0.05, 0.4, 0.1, 0.7])])
    >>> [c.article_id for c in picked]
    [0, 1, 5, 3]
    """
    for candidate in candidates:
        candidate.score = related_score(candidate)
    kept = sorted((c for c in candidates if c.content >= MIN_COSINE),
                  key=lambda c: (-c.score, -c.article_id))
    if not kept:
        return []
    best = kept[0].score
    out = kept[:MIN_ITEMS]
    out += [c for c in kept[MIN_ITEMS:MAX_ITEMS] if c.score >= KEEP_SHARE * best]
    return out


def days_between(a: datetime | None, b: datetime | None) -> float:
    """Absolute distance in days; 0 when either date is unknown."""
    if a is None or b is None:
        return 0.0
    return abs((a - b).total_seconds()) / 86400.0
