"""Old WordPress URLs → permanent (301) redirects to the new pages, stored
as Wagtail ``Redirect`` rows (``wagtail.contrib.redirects``), so editors see
and edit them in the admin.

Wagtail's redirect middleware only answers URLs that would otherwise be a
404; ``/?p=123`` is the home page with a query string, so
:mod:`nashr.importers.wagtail_hooks` looks those up before the home page is
served. Paths are stored decoded (``/2024/03/01/الخبر/``); Wagtail matches
both the percent-encoded and the decoded form of a request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from . import mapping
from nashr.site.rows import insert_rows

from .report import ImportReport


class RedirectWriter:
    def __init__(self, *, report: ImportReport, home) -> None:
        self.report = report
        self.site = Site.objects.filter(root_page=home).first() or Site.objects.filter(is_default_site=True).first()
        #: archive path -> target written in this run (categories and tags only)
        self.seen: dict[str, tuple[str, object]] = {}

    def _put(self, old: str, *, page=None, link: str = "") -> None:
        old_path = Redirect.normalise_path(old)
        if not old_path or old_path == "/":
            return
        if page is not None:
            own = urlsplit(page.get_url(current_site=self.site) or "").path
            if own and Redirect.normalise_path(own) == old_path:
                return  # the new URL is the old one: nothing to redirect
        elif link and Redirect.normalise_path(link) == old_path:
            return
        target = ("page", page.pk) if page is not None else ("link", link)
        first = self.seen.setdefault(old_path, target)
        if first != target:  # two things of this export claim one old URL: the first keeps it
            self.report.warn("redirect", "", None, f"الرابط القديم {old_path} لعنصرين؛ بقي للأول")
            return
        existing = Redirect.objects.filter(old_path=old_path, site=self.site).first()
        if existing is None:
            Redirect.objects.create(old_path=old_path, site=self.site, is_permanent=True,
                                    redirect_page=page, redirect_link="" if page is not None else link)
            self.report.count("redirect", "imported")
            return
        same = (existing.redirect_page_id == (page.pk if page is not None else None)
                and (page is not None or existing.redirect_link == link) and existing.is_permanent)
        if same:
            self.report.count("redirect", "unchanged")
            return
        existing.redirect_page = page
        existing.redirect_link = "" if page is not None else link
        existing.is_permanent = True
        existing.save()
        self.report.count("redirect", "updated")

    def to_page(self, *, paths: list[str], page) -> None:
        """Redirect every old path (see :func:`.mapping.old_paths_for_item`)
        to ``page``: one query for the existing rows, one insert for the new."""
        wanted = self._wanted(paths, page)
        existing = {r.old_path: r for r in Redirect.objects.filter(site=self.site, old_path__in=wanted)}
        new = [Redirect(old_path=p, site=self.site, is_permanent=True, redirect_page=page)
               for p in wanted if p not in existing]
        Redirect.objects.bulk_create(new)
        if new:
            self.report.count("redirect", "imported", len(new))
        for redirect in existing.values():
            self._existing(redirect, page)

    def _wanted(self, paths: list[str], page) -> list[str]:
        own = urlsplit(page.get_url(current_site=self.site) or "").path
        own = Redirect.normalise_path(own) if own else ""
        wanted: list[str] = []
        for path in paths:
            old_path = Redirect.normalise_path(path)
            if old_path and old_path != "/" and old_path != own and old_path not in wanted:
                wanted.append(old_path)
        return wanted

    def to_pages(self, *, pairs: list[tuple[list[str], object]]) -> None:
        """:meth:`to_page` for many ``(paths, page)`` at once (pages written
        together by the bulk writer): one query for the existing rows, one
        insert for the new; within the batch, as across runs, the first page
        that claims an old path keeps it."""
        wanted = [(self._wanted(paths, page), page) for paths, page in pairs]
        every = [p for paths, _ in wanted for p in paths]
        existing = {r.old_path: r for r in Redirect.objects.filter(site=self.site, old_path__in=every)}
        claimed: dict[str, int] = {}
        new = []
        for paths, page in wanted:
            for path in paths:
                redirect = existing.get(path)
                if redirect is None and path in claimed:
                    self.report.warn("redirect", "", None, f"الرابط القديم {path} يقود إلى صفحة أخرى؛ بقي لها")
                elif redirect is None:
                    claimed[path] = page.pk
                    new.append(Redirect(old_path=path, site=self.site, is_permanent=True, redirect_page_id=page.pk))
                else:
                    self._existing(redirect, page)
        insert_rows(Redirect, new)
        if new:
            self.report.count("redirect", "imported", len(new))

    def _existing(self, redirect, page) -> None:
        if redirect.redirect_page_id == page.pk and redirect.is_permanent:
            self.report.count("redirect", "unchanged")
        elif redirect.redirect_page_id is not None:
            # Another page has this old URL already (WordPress lets two
            # items share a GUID or permalink): the first one keeps it, on
            # every run, without a per-run memory of what was written.
            self.report.warn("redirect", "", None,
                             f"الرابط القديم {redirect.old_path} يقود إلى صفحة أخرى؛ بقي لها")
        else:
            redirect.redirect_page, redirect.redirect_link, redirect.is_permanent = page, "", True
            redirect.save()
            self.report.count("redirect", "updated")

    def term(self, *, taxonomy: str, slug: str, parents: list[str], base_path: str,
             target_url: str = "", page=None) -> None:
        """Redirect a category or tag archive and its feed. ``page``: the
        section a category became; ``target_url``: the tag page otherwise."""
        for path in mapping.term_paths(base_path=base_path, taxonomy=taxonomy, slug=slug, parents=parents):
            is_feed = path.endswith("/feed/")
            if page is not None:
                if is_feed:
                    url = (page.get_url(current_site=self.site) or "").rstrip("/") + "/feed/"
                    self._put(path, link=urlsplit(url).path)
                else:
                    self._put(path, page=page)
            elif target_url:
                self._put(path, link=target_url.rstrip("/") + "/feed/" if is_feed else target_url)
