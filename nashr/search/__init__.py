"""Arabic-aware search and related articles (issue 6).

- :mod:`.keys` — pure: folded words, light stems, exact words, index text
- :mod:`.query` — pure: reader input → escaped FTS5 MATCH / PostgreSQL tsquery
- :mod:`.models` / migrations — index table; SQLite FTS5 mirror (0001, 0003),
  related articles (0002), PostgreSQL tsvector columns + GIN index (0004)
- :mod:`.services` — ``search_index_article``, ``search_index_rebuild``,
  ``related_compute``, ``related_refresh``, ``related_rebuild``
- :mod:`.related` — pure: the related-articles similarity (lnc.ltc cosine + boosts)
- :mod:`.tasks`, :mod:`.signals` — keep index and related lists in step with publishing
- :mod:`.selectors` — ranked, filtered, paginable results; ``articles_related`` (one query)
- :mod:`.filters` — section / period / date-range filters of /search/
- :mod:`.snippets` — escaped snippets with ``<mark>``
- :mod:`.evaluation` — relevance metrics and the judged collection loader
- :mod:`.views` — ``/search/?q=``; :mod:`.templatetags.nashr_search` — the related box
"""
