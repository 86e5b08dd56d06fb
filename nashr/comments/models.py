"""Reader comments, the editors' blocklist, and the log of refused posts.

Models stay thin: writes live in :mod:`.services`, reads in
:mod:`.selectors`. The field names of :class:`Comment` (``article``,
``parent``, ``author_name``, ``author_email``, ``author_url``, ``body``,
``status``, ``created_at``, ``wordpress_id``) are also what the WordPress
importer writes; keep them stable.

Privacy: ``author_email`` is never shown to readers; the client address is
never stored, only ``ip_hash`` (HMAC-SHA256 keyed with ``SECRET_KEY``), and
that and ``user_agent`` are erased after ``NASHR_COMMENTS_IP_RETENTION_DAYS``
(:func:`.services.comments_forget_clients`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "بانتظار المراجعة"
        APPROVED = "approved", "منشور"
        SPAM = "spam", "مزعج"
        TRASH = "trash", "المهملات"

    article = models.ForeignKey(
        "articles.ArticlePage", verbose_name="المقال", on_delete=models.CASCADE, related_name="comments",
    )
    parent = models.ForeignKey(
        "self", verbose_name="ردًّا على", null=True, blank=True, on_delete=models.CASCADE,
        related_name="replies",
    )
    #: 0 for a top-level comment, parent's depth + 1 for a reply
    depth = models.PositiveSmallIntegerField("العمق", default=0)
    author_name = models.CharField("الاسم", max_length=100)
    author_email = models.EmailField("البريد الإلكتروني", max_length=254, blank=True)
    author_url = models.URLField("الموقع", max_length=200, blank=True)
    body = models.TextField("التعليق")
    status = models.CharField(
        "الحالة", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True,
    )
    #: why the guard held or filed it as spam ("" when approved at once)
    guard_reason = models.CharField("سبب الحجز", max_length=200, blank=True)
    created_at = models.DateTimeField("التاريخ", default=timezone.now, db_index=True)
    #: hex HMAC-SHA256 of the client address; "" once the retention has passed
    ip_hash = models.CharField("بصمة عنوان IP", max_length=64, blank=True)
    user_agent = models.CharField("المتصفّح", max_length=255, blank=True)
    #: the editor who wrote it from the moderation queue (a reply as editor)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="المحرّر", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    #: id of the comment in a WordPress export (``wp:comment_id``)
    wordpress_id = models.PositiveBigIntegerField("المعرّف في ووردبريس", null=True, blank=True)
    #: the reader asked to be emailed about replies (opt-in)...
    notify_replies = models.BooleanField("إعلام بالردود", default=False)
    #: ...and confirmed it from the emailed link
    notify_confirmed_at = models.DateTimeField("تأكيد الإعلام بالردود", null=True, blank=True)

    class Meta:
        verbose_name = "تعليق"
        verbose_name_plural = "التعليقات"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comments_article_status"),
            models.Index(fields=["author_email", "status"], name="comments_email_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "wordpress_id"], name="comments_unique_wordpress_id",
                condition=models.Q(wordpress_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        """The article's URL with the comment's permalink anchor."""
        return f"{self.article.url}#comment-{self.pk}"


class BlockedTerm(models.Model):
    """One blocklist entry editors keep in the admin: a word or phrase, an
    email address, or an IP address. Comments matching it go to spam."""

    term = models.CharField(
        "كلمة أو عنوان", max_length=200, unique=True,
        help_text="كلمة أو عبارة، أو عنوان بريد إلكتروني، أو عنوان IP. "
                  "تُعدّ التعليقات المطابقة مزعجة.",
    )
    created_at = models.DateTimeField("أُضيف في", default=timezone.now)

    class Meta:
        verbose_name = "كلمة محظورة"
        verbose_name_plural = "قائمة الحظر للتعليقات"
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class CommentRejection(models.Model):
    """A post the guard refused outright (nothing of its text is kept): the
    reason, for the moderation queue's numbers and for tuning the limits.
    Erased with the client hashes after the retention period."""

    article = models.ForeignKey(
        "articles.ArticlePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reason = models.CharField("السبب", max_length=32, db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "تعليق مرفوض"
        verbose_name_plural = "تعليقات مرفوضة"

    def __str__(self) -> str:
        return f"{self.reason} @ {self.created_at:%Y-%m-%d %H:%M}"
