"""Tiny lxml helpers (cssselect is not installed): elements by class or id."""

from __future__ import annotations

import lxml.html


def parse(response_or_text):
    text = response_or_text if isinstance(response_or_text, str) else response_or_text.content.decode()
    return lxml.html.fromstring(text)


def by_class(node, cls: str, tag: str = "*") -> list:
    """Descendants of ``node`` with the class ``cls`` (all of ``cls``'s
    space-separated classes)."""
    conditions = " and ".join(
        f'contains(concat(" ", normalize-space(@class), " "), " {c} ")' for c in cls.split())
    return node.xpath(f".//{tag}[{conditions}]")


def by_id(node, ident: str) -> list:
    return node.xpath(f'.//*[@id="{ident}"]')


def meta(node, *, name: str | None = None, prop: str | None = None) -> str:
    attr, value = ("name", name) if name else ("property", prop)
    return node.xpath(f'//meta[@{attr}="{value}"]')[0].get("content")


def json_ld(node) -> str:
    return node.xpath('//script[@type="application/ld+json"]')[0].text
