"""Create the demo publication (content.json + images/) on an empty database.

Everything is created through the same models an editor uses, and published
through Wagtail's revision/publish path so revisions, search and the
reference index are in a normal state.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone

DEMO_DIR = Path(__file__).resolve().parent


def site_ensure_tree():
    """The rows Wagtail's migrations create — default locale, root page, root
    collection — recreated if a ``flush`` removed them. Returns the root page."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


def site_ensure_home(*, site_name: str, tagline: str = ""):
    """Make sure the default Wagtail site's root is a Nashr
    :class:`~nashr.articles.models.HomePage` (replacing Wagtail's
    "Welcome" placeholder page). Returns the home page."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from wagtail.models import Page, Site

    from nashr.articles.models import HomePage

    home = HomePage.objects.first()
    site = Site.objects.filter(is_default_site=True).first()
    parts = urlsplit(settings.SITE_URL)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if home is None:
        root = site_ensure_tree()
        # Wagtail's migrations leave a plain "Welcome" page as the site root;
        # it is removed before the home page takes its place (and its slug).
        placeholder = Page.objects.filter(depth=2, content_type__model="page").first()
        if placeholder is not None and not placeholder.get_children().exists():
            placeholder.delete()  # its Site row goes with it (CASCADE)
            root.refresh_from_db()
            site = Site.objects.filter(is_default_site=True).first()
        home = HomePage(title=site_name, slug="home", tagline=tagline)
        root.add_child(instance=home)
        home.save_revision().publish()
        if site is None:
            site = Site.objects.create(hostname=hostname, port=port, root_page=home,
                                       is_default_site=True, site_name=site_name)
        else:
            site.root_page = home
            site.site_name = site_name
            site.hostname, site.port = hostname, port
            site.save()
    return home


def _block(raw: dict[str, Any], images: dict[str, Any]) -> dict[str, Any]:
    kind, value = raw["type"], raw["value"]
    if kind == "image":
        return {"type": "image", "value": {"image": images[value].pk, "caption": ""}}
    return {"type": kind, "value": value}


def demo_is_needed() -> bool:
    from nashr.articles.models import ArticlePage

    return not ArticlePage.objects.exists()


@transaction.atomic
def demo_create(*, stdout=None, content_path: Path | None = None) -> dict[str, int]:
    """Create sections, authors, images, articles and pages from
    ``content.json``; return counts per kind. Also creates the demo editor
    account ``editor`` whose random password is written once to ``stdout``."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from nashr.articles.images import NewsImage
    from nashr.articles.models import ArticleAuthor, ArticlePage, Author, SectionPage, SimplePage

    data = json.loads((content_path or DEMO_DIR / "content.json").read_text(encoding="utf-8"))
    home = site_ensure_home(site_name=settings.NASHR_SITE_NAME, tagline=data.get("tagline", ""))
    if data.get("tagline") and not home.tagline:
        home.tagline = data["tagline"]
        home.save_revision().publish()

    images: dict[str, NewsImage] = {}
    for item in data["images"]:
        path = DEMO_DIR / item["file"]
        with path.open("rb") as fh:
            image = NewsImage(
                title=item["title"],
                description=item["alt"],
                caption=item.get("caption", ""),
                credit_photographer=item.get("photographer", ""),
                credit_agency=item.get("agency", ""),
                credit_distributor=item.get("distributor", ""),
                file=ImageFile(fh, name=path.name),
            )
            image.save()
        images[item["key"]] = image

    authors: dict[str, Author] = {}
    for item in data["authors"]:
        author = Author(name=item["name"], bio=item.get("bio", ""),
                        photo=images.get(item.get("photo") or ""))
        author.save()
        authors[item["key"]] = author

    sections: dict[str, SectionPage] = {}
    for item in data["sections"]:
        section = SectionPage(title=item["title"], intro=item.get("intro", ""))
        home.add_child(instance=section)
        section.save_revision().publish()
        sections[item["key"]] = section

    now = timezone.now()
    lead = None
    for item in sorted(data["articles"], key=lambda a: -a["hours_ago"]):
        published = now - timedelta(hours=item["hours_ago"])
        updated = (
            now - timedelta(hours=item["updated_hours_ago"])
            if item.get("updated_hours_ago") is not None
            else None
        )
        source = item.get("source") or {}
        article = ArticlePage(
            title=item["title"],
            standfirst=item.get("standfirst", ""),
            lead_image=images.get(item.get("lead_image") or ""),
            body=[_block(b, images) for b in item["body"]],
            featured=bool(item.get("featured")),
            source_publisher=source.get("publisher", ""),
            source_url=source.get("url", ""),
            source_translator=source.get("translator", ""),
            source_licence=source.get("licence", ""),
        )
        sections[item["section"]].add_child(instance=article)
        for order, key in enumerate(item.get("authors", [])):
            ArticleAuthor.objects.create(page=article, author=authors[key], sort_order=order)
        article.tags.add(*item.get("tags", []))
        article.save()
        article.save_revision().publish()
        ArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=published, last_published_at=updated or published,
            date_published=published, date_updated=updated,
        )
        if item.get("featured"):
            lead = article

    if lead is not None:
        home.lead_story = lead
        home.save_revision().publish()

    for item in data.get("pages", []):
        page = SimplePage(title=item["title"], slug=item.get("slug", ""),
                          body=[_block(b, images) for b in item["body"]])
        home.add_child(instance=page)
        page.save_revision().publish()

    User = get_user_model()
    password = secrets.token_urlsafe(12)
    if not User.objects.filter(username="editor").exists():
        User.objects.create_superuser("editor", "editor@localhost", password,
                                      first_name="محرّر", last_name="تجريبي")
        if stdout is not None:
            stdout.write(
                "\nDemo editor account (this password is shown once):\n"
                f"    user: editor\n    password: {password}\n"
                "    admin: /admin/\n"
            )
    return {"sections": len(sections), "authors": len(authors), "images": len(images),
            "articles": len(data["articles"]), "pages": len(data.get("pages", []))}


def demo_create_if_empty(*, stdout=None) -> bool:
    """Create the demo when no article exists yet. Returns whether it did."""
    from django.conf import settings

    site_ensure_home(site_name=settings.NASHR_SITE_NAME)
    if not demo_is_needed():
        return False
    counts = demo_create(stdout=stdout)
    if stdout is not None:
        stdout.write("Demo publication created: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return True
