#!/usr/bin/env python3
"""Sanity checks for the demo publication in content.json.

Checks that the JSON loads, that every referenced key and image file exists,
that the block vocabulary and HTML subset are respected, and that the counts
promised for the demo hold.  Prints word counts per article.

Usage:  python nashr/site/demo/check_content.py   (exit status 1 on failure)
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLOCK_TYPES = {"paragraph", "subheading", "image", "pull_quote", "block_quote", "related_link"}
ALLOWED_TAGS = {"p", "b", "i", "a", "ul", "ol", "li"}
LATIN = re.compile(r"[A-Za-z]{2,}")
ARABIC_INDIC = re.compile(r"[\u0660-\u0669]")
WESTERN = re.compile(r"[0-9]")
MAX_IMAGE = 250 * 1024
MAX_TOTAL = 3 * 1024 * 1024

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)


class TagCheck(HTMLParser):
    def __init__(self, where: str):
        super().__init__()
        self.where = where

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            fail(f"{self.where}: tag <{tag}> not allowed")
        for name, value in attrs:
            if tag == "a" and name == "href":
                if not (value or "").startswith("https://"):
                    fail(f"{self.where}: link {value!r} is not https")
            else:
                fail(f"{self.where}: attribute {name!r} on <{tag}> not allowed")


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def body_text(article: dict) -> str:
    parts = []
    for block in article["body"]:
        v = block["value"]
        if block["type"] in ("paragraph", "subheading"):
            parts.append(v)
        elif block["type"] in ("pull_quote", "block_quote"):
            parts.append(v["quote"])
    return strip_tags(" ".join(parts))


def all_text(article: dict) -> str:
    return " ".join([article["title"], article["standfirst"], body_text(article)])


def main() -> int:
    data = json.loads((HERE / "content.json").read_text(encoding="utf-8"))
    for key in ("site_name", "tagline", "sections", "authors", "images", "articles", "pages"):
        if key not in data:
            fail(f"missing top-level key {key!r}")

    sections = {s["key"]: s for s in data["sections"]}
    authors = {a["key"]: a for a in data["authors"]}
    images = {i["key"]: i for i in data["images"]}
    if len(sections) < 5:
        fail("fewer than 5 sections")
    if len(authors) != 5:
        fail("expected exactly 5 authors")

    # images
    total = 0
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is optional for this check
        Image = None
    landscape = square = 0
    for img in data["images"]:
        for f in ("key", "file", "title", "alt", "caption", "photographer", "agency", "distributor"):
            if f not in img:
                fail(f"image {img.get('key')}: missing {f}")
        path = HERE / img["file"]
        if not path.is_file():
            fail(f"image {img['key']}: file {img['file']} missing")
            continue
        size = path.stat().st_size
        total += size
        if size > MAX_IMAGE:
            fail(f"image {img['key']}: {size // 1024} KB is over 250 KB")
        if Image is not None:
            with Image.open(path) as im:
                if im.size == (1600, 1000):
                    landscape += 1
                elif im.size == (600, 600):
                    square += 1
                else:
                    fail(f"image {img['key']}: unexpected size {im.size}")
    if total > MAX_TOTAL:
        fail(f"images total {total / 1024 / 1024:.2f} MB is over 3 MB")
    for a in data["authors"]:
        if a["photo"] not in images:
            fail(f"author {a['key']}: unknown photo {a['photo']}")

    # articles
    arts = data["articles"]
    per_section = Counter()
    tag_use = Counter()
    featured = recent = quotes = in_body_images = latin = long_reads = sources = 0
    indic = western = False
    print(f"{'words':>5}  {'section':12} title")
    for n, art in enumerate(arts, 1):
        where = f"article {n} ({art['title'][:40]})"
        per_section[art["section"]] += 1
        if art["section"] not in sections:
            fail(f"{where}: unknown section {art['section']}")
        if not 1 <= len(art["authors"]) <= 2:
            fail(f"{where}: needs 1 or 2 authors")
        for k in art["authors"]:
            if k not in authors:
                fail(f"{where}: unknown author {k}")
        if not 2 <= len(art["tags"]) <= 4:
            fail(f"{where}: needs 2-4 tags")
        tag_use.update(art["tags"])
        if art["lead_image"] not in images:
            fail(f"{where}: unknown lead image {art['lead_image']}")
        h = art["hours_ago"]
        if not (isinstance(h, int) and 0 <= h <= 400):
            fail(f"{where}: hours_ago out of range")
        recent += h <= 36
        u = art["updated_hours_ago"]
        if u is not None and not (isinstance(u, int) and 0 <= u <= h):
            fail(f"{where}: updated_hours_ago must be null or an int <= hours_ago")
        featured += art["featured"] is True
        if art["source"] is not None:
            sources += 1
            for f in ("publisher", "url", "translator", "licence"):
                if f not in art["source"]:
                    fail(f"{where}: source missing {f}")
            if not art["source"]["url"].startswith("https://"):
                fail(f"{where}: source url must be https")
        types = Counter()
        for b in art["body"]:
            t = b["type"]
            types[t] += 1
            if t not in BLOCK_TYPES:
                fail(f"{where}: unknown block type {t}")
            elif t == "paragraph":
                TagCheck(where).feed(b["value"])
            elif t == "image" and b["value"] not in images:
                fail(f"{where}: unknown image {b['value']}")
            elif t in ("pull_quote", "block_quote") and set(b["value"]) != {"quote", "attribution"}:
                fail(f"{where}: quote block needs quote and attribution")
            elif t == "related_link":
                if set(b["value"]) != {"title", "url"} or not b["value"]["url"].startswith("https://"):
                    fail(f"{where}: related_link needs title and https url")
            elif t == "subheading" and "<" in b["value"]:
                fail(f"{where}: subheading must be plain text")
        if types["paragraph"] < 4:
            fail(f"{where}: fewer than 4 paragraphs")
        quotes += bool(types["pull_quote"] or types["block_quote"])
        in_body_images += bool(types["image"])
        text = all_text(art)
        latin += bool(LATIN.search(body_text(art)))
        indic = indic or bool(ARABIC_INDIC.search(text))
        western = western or bool(WESTERN.search(text))
        words = len(body_text(art).split())
        long_reads += words >= 1200
        if words < 350:
            fail(f"{where}: only {words} words")
        print(f"{words:5d}  {art['section']:12} {art['title']}")

    if len(arts) < 18:
        fail("fewer than 18 articles")
    for key in sections:
        if per_section[key] < 3:
            fail(f"section {key} has fewer than 3 articles")
    checks = [
        (featured == 1, f"exactly one featured article (got {featured})"),
        (recent >= 4, f"at least 4 articles within 36 hours (got {recent})"),
        (long_reads >= 3, f"at least 3 long reads of 1,200+ words (got {long_reads})"),
        (quotes >= 6, f"at least 6 articles with a quote block (got {quotes})"),
        (in_body_images >= 5, f"at least 5 articles with an in-body image (got {in_body_images})"),
        (latin >= 6, f"at least 6 articles with Latin text (got {latin})"),
        (2 <= sources <= 3, f"2-3 syndicated articles (got {sources})"),
        (indic and western, "both Arabic-Indic and Western digits used"),
        (sum(1 for c in tag_use.values() if c >= 3) >= 3, "at least 3 tags shared by 3+ articles"),
    ]
    for ok, msg in checks:
        if not ok:
            fail(msg)

    slugs = {p["slug"] for p in data["pages"]}
    for p in data["pages"]:
        for b in p["body"]:
            if b["type"] not in BLOCK_TYPES:
                fail(f"page {p['slug']}: unknown block type {b['type']}")
            elif b["type"] == "paragraph":
                TagCheck(f"page {p['slug']}").feed(b["value"])
    for s in ("من-نحن", "سياسة-الخصوصية", "اتصل-بنا"):
        if s not in slugs:
            fail(f"missing page {s}")

    counts = [len(body_text(a).split()) for a in arts]
    print()
    print(f"sections {len(sections)}, authors {len(authors)}, images {len(images)} "
          f"({landscape} landscape, {square} square, {total / 1024 / 1024:.2f} MB), "
          f"articles {len(arts)}, pages {len(data['pages'])}")
    print(f"words per article {min(counts)}-{max(counts)}, total {sum(counts)}; "
          f"within 36h {recent}; long reads {long_reads}; quotes {quotes}; in-body images {in_body_images}; "
          f"Latin {latin}; syndicated {sources}")
    print("tags:", ", ".join(f"{t} ({c})" for t, c in tag_use.most_common()))
    if errors:
        print("\nFAILED:")
        for e in errors:
            print(" -", e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
