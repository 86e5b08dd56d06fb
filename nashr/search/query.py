"""Reader queries → FTS5 MATCH expressions, without ever passing reader
text through as FTS5 syntax.

A query is split into quoted phrases (``"…"``, ``“…”``, ``«…»``) and loose
words; each is reduced to folded words (:func:`nashr.search.keys.words`, so
``*``, ``(``, ``:``, ``^``, ``-`` and quotes are gone) and every key is
written as an FTS5 string (double-quoted, inner quotes doubled), so words such
as ``AND``, ``OR``, ``NOT`` and ``NEAR`` are searched for as words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .keys import word_keys, words

#: Longest query read, in characters (longer input is cut, not refused).
MAX_QUERY_CHARS = 200
#: Most words and phrases read from one query.
MAX_TERMS = 16

_PHRASE = re.compile(r'"([^"]*)"|“([^”]*)”|«([^»]*)»')


@dataclass(frozen=True)
class Term:
    """One loose word (``len(words) == 1``) or a quoted phrase."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def folded(self) -> str:
        """The query's folded words joined by spaces (for the exact-title
        bonus)."""
        return " ".join(w for t in self.terms for w in t.words)

    @property
    def keys(self) -> frozenset[str]:
        """Every key of every query word (to highlight matches)."""
        return frozenset(k for t in self.terms for w in t.words for k in word_keys(w).all)


def query_parse(text: str) -> ParsedQuery:
    """Parse reader input (any string) into terms; never raises.

    >>> query_parse('"المدرسة الجديدة" في ٢٠٢٦').terms
    (Term(words=('المدرسه', 'الجديده')), Term(words=('في',)), Term(words=('2026',)))
    >>> query_parse('AND OR NOT ( : * "').terms
    (Term(words=('and',)), Term(words=('or',)), Term(words=('not',)))
    >>> bool(query_parse('  *** '))
    False
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    pos = 0
    for match in _PHRASE.finditer(text):
        terms += [Term((w,)) for w in words(text[pos:match.start()])]
        phrase = tuple(words(next(g for g in match.groups() if g is not None)))
        if phrase:
            terms.append(Term(phrase))
        pos = match.end()
    terms += [Term((w,)) for w in words(text[pos:])]
    unique: list[Term] = []
    for term in terms:
        if term not in unique:
            unique.append(term)
    return ParsedQuery(text=text, terms=tuple(unique[:MAX_TERMS]))


def fts_string(token: str) -> str:
    """An FTS5 string literal: ``"`` + token with ``"`` doubled + ``"``.

    >>> fts_string('a"b')
    '"a""b"'
    """
    return '"' + token.replace('"', '""') + '"'


def fts_match(query: ParsedQuery) -> str:
    """The MATCH expression: every term must match (AND); a word matches by
    its folded form, its stem or its alternative stem (OR); a phrase
    matches as consecutive folded words or consecutive stems.

    >>> fts_match(query_parse('المدرسة "وزير الثقافة"'))
    '("المدرسه" OR "مدرس") AND ("وزير الثقافه" OR "زير ثقاف")'
    """
    parts = []
    for term in query.terms:
        if term.is_phrase:
            keys = [word_keys(w) for w in term.words]
            options = [" ".join(k.folded for k in keys), " ".join(k.stem for k in keys)]
            options = list(dict.fromkeys(options))
        else:
            options = word_keys(term.words[0]).all
        parts.append("(" + " OR ".join(fts_string(o) for o in options) + ")")
    return " AND ".join(parts)
