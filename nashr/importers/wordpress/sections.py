"""Categories → sections and tags (the rule is in :mod:`.mapping`): a
top-level category becomes a ``SectionPage`` under the home page, a
sub-category a tag, and both get redirects from their old archive URLs."""

from __future__ import annotations

import html
from urllib.parse import unquote

from . import mapping
from .reader import WxrTerm


def category_ancestors(categories: dict[str, WxrTerm], slug: str) -> list[str]:
    """Slugs of a category's ancestors, top-level first (cycles and missing
    parents stop the walk).

    >>> t = lambda s, p: WxrTerm("category", s, s, s, p, "", 1)
    >>> category_ancestors({"a": t("a", ""), "b": t("b", "a"), "c": t("c", "b")}, "c")
    ['a', 'b']
    """
    chain: list[str] = []
    seen = {slug}
    term = categories.get(slug)
    while term is not None and term.parent and term.parent not in seen:
        seen.add(term.parent)
        chain.insert(0, term.parent)
        term = categories.get(term.parent)
    return chain


def section_ensure(*, importer, term: WxrTerm):
    """The SectionPage for a top-level category: the one imported before,
    else an existing section with the same slug, else a new live one.
    Returns ``(section, outcome)``."""
    from nashr.articles.models import SectionPage

    title = (html.unescape(term.name) or unquote(term.slug))[:255]
    slug = mapping.wp_slug(post_name=term.slug, title=title, fallback="section")
    fp = mapping.fingerprint({"title": title, "intro": term.description})
    row = importer._row("category", term.term_id)
    if row is not None:
        section = SectionPage.objects.get(pk=row.object_id)
        if row.fingerprint == fp:
            return section, "unchanged"
        section.title, section.intro = title, term.description
        section.save_revision().publish()
        importer._remember(row, kind="category", wp_id=term.term_id, obj=section, fp=fp)
        return section, "updated"
    section = SectionPage.objects.child_of(importer.home).filter(slug=slug).first()
    outcome = "unchanged"
    if section is None:
        section = SectionPage(title=title, slug=slug, intro=term.description, live=False)
        importer.home.add_child(instance=section)
        section.save_revision().publish()
        outcome = "imported"
    importer._remember(None, kind="category", wp_id=term.term_id, obj=section, fp=fp)
    return section, outcome


def categories_apply(*, importer) -> None:
    """Create or update the sections and sub-category tags of every
    category read in pass 1; fill ``importer.category_target``."""
    categories = importer.categories
    for slug, term in categories.items():
        parents = category_ancestors(categories, slug)

        def apply(term=term, parents=parents) -> str:
            if not parents:
                section, outcome = section_ensure(importer=importer, term=term)
                importer.category_target[term.slug] = ("section", section.pk)
                importer.redirects.term(taxonomy="category", slug=term.slug, parents=[],
                                        base_path=importer.base_path, page=section)
                return outcome
            tag = importer._tag_object(name=html.unescape(term.name) or unquote(term.slug), slug=term.slug)
            fp = mapping.fingerprint({"tag": tag.name})
            row = importer._row("category", term.term_id)
            outcome = "unchanged" if row is not None and row.fingerprint == fp else (
                "imported" if row is None else "updated")
            if outcome != "unchanged":
                importer._remember(row, kind="category", wp_id=term.term_id, obj=tag, fp=fp)
            importer.category_target[term.slug] = ("tag", tag.pk)
            importer.redirects.term(taxonomy="category", slug=term.slug, parents=parents,
                                    base_path=importer.base_path, target_url=f"/tag/{tag.slug}/")
            return outcome

        importer._guard("category", term.term_id, term.line, apply)


def fallback_section(*, importer):
    """The section for posts without a category (created on first use)."""
    from nashr.articles.models import SectionPage

    slug, title = mapping.FALLBACK_SECTION
    section = SectionPage.objects.child_of(importer.home).filter(slug=slug).first()
    if section is None:
        section = SectionPage(title=title, slug=slug, live=False)
        importer.home.add_child(instance=section)
        section.save_revision().publish()
    return section
