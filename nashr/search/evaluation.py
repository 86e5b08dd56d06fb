"""Measuring search relevance against a judged test collection
(``tests/files/relevance/collection.json``, made by ``generate.py`` beside
it): the metrics (pure) and a loader that publishes the collection's
articles into the page tree of the current database.

Metrics follow Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR
techniques" (ACM TOIS 2002) for nDCG (gain ``2^grade − 1``, discount
``log2(rank + 1)``), and Voorhees, "The TREC-8 Question Answering Track
Report" (1999) for the mean reciprocal rank.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

COLLECTION = Path(__file__).resolve().parents[2] / "tests" / "files" / "relevance" / "collection.json"


def dcg(grades: Iterable[float]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: list, relevant: dict, k: int = 10) -> float:
    """nDCG@k of a ranked list of ids against ``{id: grade}``.

    >>> ndcg_at([1, 2, 3], {1: 2, 2: 2})
    1.0
    >>> round(ndcg_at([3, 1, 2], {1: 2, 2: 2}), 4)
    0.6934
    >>> ndcg_at([], {1: 1})
    0.0
    """
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if not ideal:
        return 0.0
    return dcg(relevant.get(i, 0) for i in ranked[:k]) / ideal


def reciprocal_rank(ranked: list, relevant: dict) -> float:
    """1 / rank of the first relevant id (0 when none is found).

    >>> reciprocal_rank([5, 1], {1: 2})
    0.5
    """
    for i, item in enumerate(ranked):
        if relevant.get(item, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: list, relevant: dict, k: int = 10) -> float:
    """Share of the relevant ids found in the first ``k``.

    >>> recall_at([1, 9, 2], {1: 2, 2: 2, 3: 1}, k=2)
    0.3333333333333333
    """
    wanted = {i for i, g in relevant.items() if g > 0}
    if not wanted:
        return 1.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def collection_load(path: Path | None = None) -> dict:
    """The collection as stored: ``{"articles": [...], "queries": [...]}``
    with each query's ``relevant`` keys turned into ints."""
    data = json.loads((path or COLLECTION).read_text(encoding="utf-8"))
    for query in data["queries"]:
        query["relevant"] = {int(k): v for k, v in query["relevant"].items()}
    return data


def evaluate(queries: list[dict], search: Callable[[str], list[int]], *, k: int = 10) -> dict:
    """Run every query through ``search`` (text → ranked collection ids)
    and average the metrics, overall and per query kind. Returns
    ``{"all": {"ndcg", "mrr", "recall", "n"}, "<kind>": {...},
    "per_query": [{"id", "text", "kind", "ndcg", "rr", "recall"}]}``."""
    rows = []
    for query in queries:
        ranked = search(query["text"])
        rows.append({
            "id": query["id"], "text": query["text"], "kind": query["kind"],
            "ndcg": ndcg_at(ranked, query["relevant"], k),
            "rr": reciprocal_rank(ranked[:k], query["relevant"]),
            "recall": recall_at(ranked, query["relevant"], k),
        })

    def mean(items: list[dict]) -> dict:
        n = len(items) or 1
        return {"ndcg": sum(r["ndcg"] for r in items) / n, "mrr": sum(r["rr"] for r in items) / n,
                "recall": sum(r["recall"] for r in items) / n, "n": len(items)}

    out = {"all": mean(rows), "per_query": rows}
    for kind in sorted({r["kind"] for r in rows}):
        out[kind] = mean([r for r in rows if r["kind"] == kind])
    return out


def collection_publish(data: dict, *, home=None) -> dict[int, int]:
    """Create the collection's sections and live articles under ``home``
    (the site's home page by default), without revisions (fast; this is
    test and benchmark data), then index them. Returns ``{collection
    article id: page id}``."""
    from django.utils import timezone

    from nashr.articles.models import ArticlePage, SectionPage
    from nashr.site.demo.loader import site_ensure_home

    from .services import search_index_rebuild

    home = home or site_ensure_home(site_name="مجموعة اختبار الصلة")
    sections: dict[str, SectionPage] = {s.title: s for s in SectionPage.objects.child_of(home)}
    now = timezone.now()
    ids: dict[int, int] = {}
    for item in data["articles"]:
        section = sections.get(item["section"])
        if section is None:
            section = home.add_child(instance=SectionPage(title=item["section"]))
            sections[item["section"]] = section
        published = now - timedelta(days=item["days_ago"], minutes=item["id"])
        article = ArticlePage(
            title=item["title"], standfirst=item["standfirst"], live=True,
            body=[{"type": "paragraph", "value": "".join(f"<p>{p}</p>" for p in item["body"])}],
            date_published=published, first_published_at=published,
        )
        section.add_child(instance=article)
        if item.get("tags"):
            article.tags.add(*item["tags"])
            article.save()
        ids[item["id"]] = article.pk
    search_index_rebuild()
    return ids
