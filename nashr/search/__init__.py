"""Arabic-aware search (issue 6, first step).

- :mod:`.keys` — pure: folded words, light stems, index text
- :mod:`.query` — pure: reader input → escaped FTS5 MATCH expression
- :mod:`.models` / migration 0001 — index table + SQLite FTS5 mirror
- :mod:`.services` — ``search_index_article``, ``search_index_rebuild``
- :mod:`.tasks`, :mod:`.signals` — keep the index in step with publishing
- :mod:`.selectors` — ranked, paginable results
- :mod:`.snippets` — escaped snippets with ``<mark>``
- :mod:`.views` — ``/search/?q=``
"""
