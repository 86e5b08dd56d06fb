"""Pure mapping rules: where a WordPress thing goes in Nashr. No database
access here; :mod:`.importer` applies the decisions.

Decisions (also in docs/wordpress-import.md):

* **Sections.** A top-level category becomes a section (``SectionPage``); a
  sub-category becomes a *tag* of the same name, and its posts go to the
  section of its top-level ancestor. A post's section is the top-level
  ancestor of its first category; its other categories become tags. A post
  with no category goes to the section ``منوعات`` (slug ``uncategorized``).
* **Status.** ``publish`` → live; ``future`` → scheduled (``go_live_at``);
  ``draft``, ``pending``, ``auto-draft`` → draft; ``private`` → draft and
  reported; a post password → members-only (``access="members"``) and
  reported; ``trash``/``inherit`` posts are skipped and reported.
* **Dates.** ``post_date_gmt`` (UTC) is preferred; when it is empty or
  ``0000-00-00 00:00:00`` (drafts), ``post_date`` is read in the site's time
  zone (``settings.TIME_ZONE``), because WXR does not say which zone the old
  site used.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from nashr.arabic import slugify

#: the section a post without any category goes to
FALLBACK_SECTION = ("uncategorized", "منوعات")


@dataclass(frozen=True)
class PostState:
    """``state`` is ``"live"``, ``"scheduled"``, ``"draft"`` or ``"skip"``;
    ``access`` ``"free"`` or ``"members"``; ``notes`` Arabic messages to report."""

    state: str
    access: str
    notes: tuple[str, ...] = ()


def post_state(*, status: str, password: str) -> PostState:
    """Map WordPress's post status and password to Nashr's.

    >>> post_state(status="publish", password="")
    PostState(state='live', access='free', notes=())
    >>> post_state(status="private", password="").state
    'draft'
    >>> post_state(status="publish", password="سر").access
    'members'
    """
    notes: list[str] = []
    access = "free"
    if password:
        access = "members"
        notes.append("المقال محمي بكلمة مرور في ووردبريس؛ صار للمشتركين فقط")
    status = (status or "").lower()
    if status == "publish":
        state = "live"
    elif status == "future":
        state = "scheduled"
    elif status in ("draft", "pending", "auto-draft", ""):
        state = "draft"
    elif status == "private":
        state = "draft"
        notes.append("المقال خاص (private) في ووردبريس؛ استورد مسودةً غير منشورة")
    else:
        state = "skip"
        notes.append(f"حالة ووردبريس «{status}» لا تُستورد")
    return PostState(state=state, access=access, notes=tuple(notes))


_ZERO_DATE = re.compile(r"^0{4}-0{2}-0{2}")


def wp_datetime(*, gmt: str, local: str, tz_name: str) -> datetime | None:
    """An aware datetime from WXR's ``post_date_gmt``/``post_date``
    (``"YYYY-MM-DD HH:MM:SS"``); ``None`` when neither is a real date.

    >>> wp_datetime(gmt="2024-03-01 09:30:00", local="", tz_name="Asia/Riyadh").isoformat()
    '2024-03-01T09:30:00+00:00'
    >>> wp_datetime(gmt="0000-00-00 00:00:00", local="2024-03-01 12:30:00", tz_name="Asia/Riyadh").isoformat()
    '2024-03-01T12:30:00+03:00'
    """
    for value, zone in ((gmt, ZoneInfo("UTC")), (local, ZoneInfo(tz_name))):
        value = (value or "").strip()
        if not value or _ZERO_DATE.match(value):
            continue
        try:
            return datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def wp_slug(*, post_name: str, title: str, fallback: str) -> str:
    """A Nashr slug from WordPress's ``post_name`` (percent-encoded for
    Arabic), else from the title, else ``fallback``.

    >>> wp_slug(post_name="%d8%a7%d9%84%d8%ae%d8%a8%d8%b1", title="", fallback="post-1")
    'الخبر'
    """
    source = unquote(post_name or "").strip() or (title or "").strip()
    return slugify(source, max_length=80, fallback=fallback) if source else fallback


def old_path(url: str) -> str:
    """The path (and query) of an old URL, percent-decoded, with a trailing
    slash kept as WordPress wrote it; ``""`` for an empty URL.

    >>> old_path("https://example.com/2024/03/01/%d8%ae%d8%a8%d8%b1/")
    '/2024/03/01/خبر/'
    >>> old_path("https://example.com/?p=12")
    '/?p=12'
    """
    if not url:
        return ""
    parts = urlsplit(url.strip())
    path = unquote(parts.path or "/")
    return path + (f"?{parts.query}" if parts.query else "")


def old_paths_for_item(*, link: str, guid: str, post_id: str, post_type: str, base_path: str = "") -> list[str]:
    """Every old URL of a post or page that should redirect to its new page:
    its permalink (pretty or date-based, Arabic slugs decoded), the
    permalink's ``feed/`` (comments feed), ``/?p=ID`` (``/?page_id=ID`` for
    pages) and the GUID when it is a pretty URL on the same site.

    >>> old_paths_for_item(link="https://ex.com/2020/01/02/a/", guid="https://ex.com/?p=5", post_id="5", post_type="post")
    ['/2020/01/02/a/', '/2020/01/02/a/feed/', '/?p=5']
    """
    paths: list[str] = []
    main = old_path(link)
    if main and "?" not in main and main != "/":
        paths += [main, main.rstrip("/") + "/feed/"]
    elif main and main != "/":
        paths.append(main)
    if post_id:
        base = base_path.rstrip("/")
        paths.append(f"{base}/?p={post_id}")
        if post_type == "page":
            paths.append(f"{base}/?page_id={post_id}")
    guid_path = old_path(guid) if guid.startswith(("http://", "https://")) else ""
    # a "?p=" GUID may be another post's id (WordPress copies GUIDs); the
    # post's own /?p=ID is already there
    if guid_path and "?" not in guid_path and guid_path != "/" and guid_path not in paths and urlsplit(guid).netloc == urlsplit(link).netloc:
        paths.append(guid_path)
    return list(dict.fromkeys(paths))


def term_paths(*, base_path: str, taxonomy: str, slug: str, parents: list[str]) -> list[str]:
    """Old archive URLs of a category or tag and their feeds: ``/category/a/b/``
    (WordPress nests category archives under their parents),
    ``/category/b/`` and ``/tag/b/`` with ``feed/`` variants.

    >>> term_paths(base_path="", taxonomy="post_tag", slug="%d9%88%d8%b3%d9%85", parents=[])
    ['/tag/وسم/', '/tag/وسم/feed/']
    """
    base = base_path.rstrip("/")
    slug = unquote(slug)
    if taxonomy == "category":
        nested = "/".join([unquote(p) for p in parents] + [slug])
        roots = [f"{base}/category/{nested}/", f"{base}/category/{slug}/"]
    else:
        roots = [f"{base}/tag/{slug}/"]
    paths: list[str] = []
    for root in dict.fromkeys(roots):
        paths += [root, root + "feed/"]
    return paths


_UPLOADS = re.compile(r"/wp-content/uploads/(.+)$")
_DATED = re.compile(r"/((?:\d{4}/\d{2}/)?[^/]+)$")


def uploads_relative_path(url: str) -> str:
    """Where an attachment's file sits under ``--uploads DIR``: the URL path
    after ``wp-content/uploads/``; for WordPress.com media hosts (no such
    folder), the ``YYYY/MM/name`` end of the path.

    >>> uploads_relative_path("https://ex.com/wp-content/uploads/2024/03/%d8%b5%d9%88%d8%b1%d8%a9.jpg")
    '2024/03/صورة.jpg'
    >>> uploads_relative_path("https://ex.files.wordpress.com/2008/06/canola2.jpg")
    '2008/06/canola2.jpg'
    """
    path = unquote(urlsplit(url or "").path)
    match = _UPLOADS.search(path) or _DATED.search(path)
    relative = match.group(1) if match else ""
    parts = [p for p in relative.split("/") if p not in ("", ".", "..")]
    return "/".join(parts)


_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")


def media_key(url: str) -> str:
    """A key matching a photo URL in content to its attachment, also when the
    content uses a resized copy (``photo-300x200.jpg``) or another host.

    >>> media_key("https://ex.com/wp-content/uploads/2024/03/a-300x200.jpg") == media_key("http://cdn.ex.com/2024/03/a.jpg")
    True
    """
    return _SIZE_SUFFIX.sub("", uploads_relative_path(url)).lower()


def fingerprint(values: dict) -> str:
    """SHA-256 of the mapped values (JSON, sorted keys): equal when nothing
    the import writes has changed."""
    data = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def author_map_load(path: str | Path) -> dict[str, str]:
    """Read an ``--author-map`` file: CSV rows ``wordpress_login,nashr_author``
    where the second column is an existing author's slug or name (created
    with that name if neither exists). A header row starting with ``login``
    or ``wordpress_login`` is skipped; ``#`` lines are comments.
    Raises ``ValueError`` (Arabic message) for an unreadable file."""
    mapping: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.reader(fh), 1):
                if not row or row[0].strip().startswith("#"):
                    continue
                if number == 1 and row[0].strip().lower() in ("login", "wordpress_login", "wp_login"):
                    continue
                if len(row) < 2 or not row[0].strip() or not row[1].strip():
                    raise ValueError(f"ملف الكتّاب: السطر {number} يحتاج عمودين (اسم الدخول، الكاتب)")
                mapping[row[0].strip()] = row[1].strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"تعذّرت قراءة ملف الكتّاب {path}: {exc}") from None
    return mapping


def author_display_name(*, display_name: str, first_name: str, last_name: str, login: str) -> str:
    """The byline name: WordPress's display name (Arabic kept as written),
    else first + last name, else the login."""
    full = f"{first_name} {last_name}".strip()
    return (display_name or full or login).strip()[:200]
