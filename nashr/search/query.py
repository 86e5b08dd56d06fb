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

from .keys import exact_words, word_keys, words

#: Longest query read, in characters (longer input is cut, not refused).
MAX_QUERY_CHARS = 200
#: Most words and phrases read from one query.
MAX_TERMS = 16

_PHRASE = re.compile(r'"([^"]*)"|“([^”]*)”|«([^»]*)»')


@dataclass(frozen=True)
class Term:
    """One loose word (``len(words) == 1``) or a quoted phrase: its folded
    ``words`` and, when the reader typed letters that folding changes,
    the same words as written (``exact``; else empty)."""

    words: tuple[str, ...]
    exact: tuple[str, ...] = field(default=(), compare=False, repr=False)

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

    def loose(part: str) -> list[Term]:
        folded, exact = words(part), exact_words(part)
        if len(folded) != len(exact):
            exact = folded
        return [Term((w,), (e,)) for w, e in zip(folded, exact)]

    pos = 0
    for match in _PHRASE.finditer(text):
        terms += loose(text[pos:match.start()])
        inner = next(g for g in match.groups() if g is not None)
        phrase, exact = tuple(words(inner)), tuple(exact_words(inner))
        if phrase:
            terms.append(Term(phrase, exact if len(exact) == len(phrase) else phrase))
        pos = match.end()
    terms += loose(text[pos:])
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


#: The key columns (folded and stemmed words); the exact column is apart.
KEY_COLUMNS = "{title_keys standfirst_keys tags_keys body_keys}"


def fts_match(query: ParsedQuery) -> str:
    """The MATCH expression: every term must match (AND); a word matches by
    its folded form, its stem or its alternative stem (OR) in the key
    columns, or as written in the exact column; a phrase matches as
    consecutive folded words or consecutive stems (or exactly as written).
    bm25 then adds the exact column's weight to articles that hold the
    word as typed.

    >>> fts_match(query_parse('المدرسة "وزير الثقافة"'))
    '({title_keys standfirst_keys tags_keys body_keys} : ("المدرسه" OR "مدرس") OR exact_keys : "المدرسة") AND ({title_keys standfirst_keys tags_keys body_keys} : ("وزير الثقافه" OR "زير ثقاف") OR exact_keys : "وزير الثقافة")'
    """
    parts = []
    for term in query.terms:
        if term.is_phrase:
            keys = [word_keys(w) for w in term.words]
            options = [" ".join(k.folded for k in keys), " ".join(k.stem for k in keys)]
            options = list(dict.fromkeys(options))
        else:
            options = word_keys(term.words[0]).all
        keys = "(" + " OR ".join(fts_string(o) for o in options) + ")"
        exact = " ".join(term.exact) or " ".join(term.words)
        parts.append(f"({KEY_COLUMNS} : {keys} OR exact_keys : {fts_string(exact)})")
    return " AND ".join(parts)


def _lexeme(token: str) -> str:
    """A tsquery lexeme literal: quoted, ``'`` doubled, ``\\`` escaped."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(query: ParsedQuery, *, exact: bool = False) -> str:
    """The PostgreSQL ``tsquery`` text (cast with ``::tsquery``, no further
    normalising: the keys are already Nashr's) for the same match as
    :func:`fts_match`: every term required (``&``); a word by any of its
    keys (``|``); a phrase by consecutive words (``<->``). With ``exact``,
    the terms as written, OR-ed (``|``), for the exact-match bonus.

    >>> tsquery(query_parse('المدرسة "وزير الثقافة"'))
    "('المدرسه' | 'مدرس') & ('وزير' <-> 'الثقافه' | 'زير' <-> 'ثقاف')"
    >>> tsquery(query_parse("أحمد it's"), exact=True)
    "'أحمد' | 'it' | 's'"
    """
    parts = []
    for term in query.terms:
        if exact:
            parts.append(" <-> ".join(_lexeme(w) for w in (term.exact or term.words)))
            continue
        if term.is_phrase:
            keys = [word_keys(w) for w in term.words]
            options = [" <-> ".join(_lexeme(k.folded) for k in keys), " <-> ".join(_lexeme(k.stem) for k in keys)]
            options = list(dict.fromkeys(options))
        else:
            options = [_lexeme(o) for o in word_keys(term.words[0]).all]
        parts.append("(" + " | ".join(options) + ")")
    return (" | " if exact else " & ").join(parts)
