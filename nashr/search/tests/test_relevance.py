"""Relevance, measured: the judged collection of tests/files/relevance/
published into the test database and searched through the real index.

Every spelling-variant query (hamza forms, ta marbuta/ha, alef maqsura/ya,
harakat, tatweel, Arabic-Indic and Persian digits, attached prefixes) must
find every relevant article in its first ten results; the mean nDCG@10 over
all queries must stay above a floor set a little under today's score.
"""

from __future__ import annotations

import pytest

from nashr.search.evaluation import collection_load, collection_publish, evaluate
from nashr.search.query import query_parse
from nashr.search.selectors import articles_search

pytestmark = pytest.mark.django_db

#: Today's scores (see bench/README.md) less a small margin.
MIN_NDCG_AT_10 = 0.97
MIN_MRR = 0.97


def nashr_search(ids: dict[int, int]):
    back = {page: item for item, page in ids.items()}

    def run(text: str) -> list[int]:
        return [back[a.pk] for a in articles_search(query=query_parse(text))[0:10] if a.pk in back]

    return run


def test_relevance_collection():
    data = collection_load()
    assert len(data["articles"]) >= 300
    assert len(data["queries"]) >= 50
    ids = collection_publish(data)
    scores = evaluate(data["queries"], nashr_search(ids))
    missed = [f'{r["id"]} «{r["text"]}» recall={r["recall"]:.2f}'
              for r in scores["per_query"] if r["kind"] == "variant" and r["recall"] < 1]
    assert not missed, "variant queries that missed a relevant article:\n" + "\n".join(missed)
    assert scores["variant"]["recall"] == 1.0
    assert scores["all"]["ndcg"] >= MIN_NDCG_AT_10, scores["all"]
    assert scores["all"]["mrr"] >= MIN_MRR, scores["all"]


def test_collection_covers_every_kind_of_variant():
    import re

    texts = [q["text"] for q in collection_load()["queries"] if q["kind"] == "variant"]
    joined = " ".join(texts)
    assert re.search("[\u064b-\u0652]", joined)  # harakat
    assert "\u0640" in joined  # tatweel
    assert re.search("[٠-٩]", joined) and re.search("[۰-۹]", joined)  # Arabic-Indic, Persian digits
    assert re.search(r"\b[اإأ]", joined) and re.search("ه\\b", joined)  # hamza forms, ta marbuta as ha
    assert re.search("ى\\b", joined) or re.search("ي\\b", joined)
    for prefix in ("و", "ب", "ف", "ك", "ل", "ال"):
        assert any(re.match(prefix, w) for t in texts for w in t.split()), prefix
