"""WordPress comments → :class:`nashr.comments.models.Comment`.

Status: ``1`` → approved, ``0`` → pending, ``spam`` → spam, ``trash`` and
``post-trashed`` → trash. Threading follows ``comment_parent`` (a reply
deeper than ``NASHR_COMMENTS_MAX_DEPTH`` hangs from the deepest allowed
ancestor, as the comment form does). Bodies and names become plain text
(tags removed, entities decoded; the comment templates escape on output);
an author URL is kept only when it is http(s); emails are stored as the
comment form stores them and never shown. Pingbacks, trackbacks and
comments on pages (Nashr comments belong to articles) are reported and
skipped. Comments are written straight to the model, not through the
reader-facing guard: no moderation emails are sent for an import.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from nashr.arabic import strip_html
from nashr.site.rows import create_rows
from nashr.articles.sanitise import safe_url, xml_text

from . import mapping
from .reader import WxrComment, WxrItem

STATUS = {"1": "approved", "approve": "approved", "0": "pending", "hold": "pending", "spam": "spam",
          "trash": "trash", "post-trashed": "trash"}


def comments_model():
    """The Comment model when the comments app and its table exist, else ``None``."""
    from django.apps import apps
    from django.db import connection

    try:
        model = apps.get_model("comments", "Comment")
    except LookupError:
        return None
    if model._meta.db_table not in connection.introspection.table_names():
        return None
    return model


def _plain(text: str, limit: int | None = None) -> str:
    value = xml_text(strip_html(text or "")).strip()
    return value[:limit] if limit else value


class CommentImporter:
    def __init__(self, *, importer, model) -> None:
        self.importer = importer
        self.Comment = model
        self.max_depth = max(1, int(getattr(settings, "NASHR_COMMENTS_MAX_DEPTH", 5)))

    @classmethod
    def if_available(cls, *, importer) -> CommentImporter | None:
        model = comments_model()
        return cls(importer=importer, model=model) if model is not None else None

    def skip_all(self, item: WxrItem, reason: str) -> None:
        report = self.importer.report
        for comment in item.comments:
            report.count("comment", "skipped")
            report.warn("comment", comment.wp_id, comment.line, reason)

    def import_for(self, *, item: WxrItem, article, article_is_new: bool = False) -> None:
        """Import the comments of one post into ``article``, parents first
        (``article_is_new``: created by this run, so it has no comment yet)."""
        by_wp: dict[str, object] = {}
        for c in self._ordered(list(item.comments)):
            self.importer._guard("comment", c.wp_id, c.line, self._one, c, article, by_wp, article_is_new)

    @staticmethod
    def _ordered(comments: list[WxrComment]) -> list[WxrComment]:
        """Parents before replies (parents may follow replies in the file);
        a reply in a cycle becomes a top-level comment."""
        done: set[str] = set()
        out: list[WxrComment] = []
        pending = list(comments)
        while pending:
            progressed = False
            rest: list[WxrComment] = []
            for c in pending:
                if c.parent and c.parent != "0" and c.parent not in done and any(
                        p.wp_id == c.parent for p in pending):
                    rest.append(c)
                    continue
                out.append(c)
                done.add(c.wp_id)
                progressed = True
            if not progressed:
                for c in rest:
                    c.parent = ""
            pending = rest
        return out

    def _mapped(self, c: WxrComment, parent) -> dict | None:
        """The values of comment ``c`` under ``parent`` (a Comment or
        ``None``), or ``None`` when it is not imported (reported)."""
        report = self.importer.report
        if c.comment_type in ("pingback", "trackback"):
            report.warn("comment", c.wp_id, c.line, f"إشعار {c.comment_type} وليس تعليقًا؛ لم يُستورد")
            return None
        status = STATUS.get((c.approved or "").strip().lower())
        if status is None:
            status = "pending"
            report.warn("comment", c.wp_id, c.line, f"حالة التعليق «{c.approved}» غير معروفة؛ صار بانتظار المراجعة")
        body = _plain(c.content)
        if not body:
            report.warn("comment", c.wp_id, c.line, "تعليق فارغ؛ لم يُستورد")
            return None
        email = (c.author_email or "").strip().lower()[:254]
        try:
            if email:
                validate_email(email)
        except ValidationError:
            email = ""
        url = safe_url(c.author_url)
        url = url if url.startswith(("http://", "https://")) and len(url) <= 200 else ""
        created = mapping.wp_datetime(gmt=c.date_gmt, local=c.date, tz_name=settings.TIME_ZONE)
        if c.parent and c.parent != "0" and parent is None:
            report.warn("comment", c.wp_id, c.line, f"التعليق الأصل #{c.parent} غير موجود؛ صار تعليقًا مستقلًا")
        return {"name": _plain(c.author, 100) or "مجهول", "email": email, "url": url, "body": body,
                "status": status, "created": created}

    def _fingerprint(self, values: dict, parent, article_pk: int) -> str:
        created = values["created"]
        return mapping.fingerprint({
            "name": values["name"], "email": values["email"], "url": values["url"], "body": values["body"],
            "status": values["status"], "created": created.isoformat() if created else None,
            "parent": parent.pk if parent is not None else None, "article": article_pk})

    def import_new(self, *, pairs: list) -> None:
        """Import the comments of articles created in this run by the bulk
        writer (``pairs``: ``[(item, article)]``): the same rows as
        :meth:`import_for`, inserted a thread level at a time. Comments of an
        item that already has a mapping row go through :meth:`import_for`."""
        from ..models import ImportedObject

        importer, report = self.importer, self.importer.report
        ids = [c.wp_id for item, _ in pairs for c in item.comments]
        known = set(ImportedObject.objects.filter(source=importer.source, kind="comment", wp_id__in=ids)
                    .values_list("wp_id", flat=True)) if importer.may_have_rows("comment") else set()
        levels: dict[int, list] = {}
        done: list = []  # (comment object, values, wp comment, parent object)
        parent_of: dict[int, object] = {}  # id(comment) -> its parent object (no query to read it back)
        for item, article in pairs:
            if any(c.wp_id in known for c in item.comments):
                self.import_for(item=item, article=article, article_is_new=True)
                continue
            by_wp: dict[str, object] = {}
            for c in self._ordered(item.comments):
                parent = by_wp.get(c.parent) if c.parent and c.parent != "0" else None
                values = self._mapped(c, parent)
                if values is None:
                    report.count("comment", "skipped")
                    continue
                while parent is not None and parent.depth + 1 >= self.max_depth:
                    parent = parent_of.get(id(parent))
                comment = self.Comment(
                    article_id=article.pk, parent=parent, depth=parent.depth + 1 if parent is not None else 0,
                    author_name=values["name"], author_email=values["email"], author_url=values["url"],
                    body=values["body"], status=values["status"],
                    wordpress_id=int(c.wp_id) if c.wp_id.isdigit() else None)
                if values["created"] is not None:
                    comment.created_at = values["created"]
                by_wp[c.wp_id] = comment
                parent_of[id(comment)] = parent
                levels.setdefault(comment.depth, []).append(comment)
                done.append((comment, values, c, parent))
        for depth in sorted(levels):
            for comment in levels[depth]:
                parent = parent_of[id(comment)]
                if parent is not None:
                    comment.parent = parent  # saved by now: sets parent_id
            create_rows(self.Comment, levels[depth])
        if not done:
            return
        from django.contrib.contenttypes.models import ContentType

        from nashr.site.rows import insert_rows

        ct = ContentType.objects.get_for_model(self.Comment)
        insert_rows(ImportedObject, [
            ImportedObject(source=importer.source, kind="comment", wp_id=c.wp_id, guid="", content_type_id=ct.pk,
                           object_id=str(comment.pk),
                           fingerprint=self._fingerprint(values, parent, comment.article_id))
            for comment, values, c, parent in done])
        importer.written("comment", [c.wp_id for _, _, c, _ in done])
        report.count("comment", "imported", len(done))

    def _one(self, c: WxrComment, article, by_wp: dict, article_is_new: bool) -> str:
        parent = by_wp.get(c.parent) if c.parent and c.parent != "0" else None
        values = self._mapped(c, parent)
        if values is None:
            return "skipped"
        while parent is not None and parent.depth + 1 >= self.max_depth:
            parent = self.Comment.objects.filter(pk=parent.parent_id).first()
        created = values["created"]
        email, url, body, status = values["email"], values["url"], values["body"], values["status"]
        fp = self._fingerprint(values, parent, article.pk)
        row = self.importer._row("comment", c.wp_id, check=False)
        comment = self.importer.target(row, self.Comment)
        if comment is None:
            row = None
            if c.wp_id.isdigit() and not article_is_new:
                comment = self.Comment.objects.filter(article_id=article.pk, wordpress_id=int(c.wp_id)).first()
        if comment is not None and row is not None and row.fingerprint == fp:
            by_wp[c.wp_id] = comment
            return "unchanged"
        outcome = "imported" if comment is None else "updated"
        comment = comment or self.Comment(article_id=article.pk)
        comment.article_id = article.pk
        comment.parent = parent
        comment.depth = parent.depth + 1 if parent is not None else 0
        comment.author_name, comment.author_email, comment.author_url = values["name"], email, url
        comment.body, comment.status = body, status
        if created is not None:
            comment.created_at = created
        comment.wordpress_id = int(c.wp_id) if c.wp_id.isdigit() else None
        comment.save()
        by_wp[c.wp_id] = comment
        self.importer._remember(row, kind="comment", wp_id=c.wp_id, obj=comment, fp=fp)
        return outcome
