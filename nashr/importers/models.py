"""Where every imported WordPress object went: the mapping table that makes
an import idempotent and lets a newer export update what changed.

One row per (source site, kind, WordPress id). ``fingerprint`` is a hash of
the values the importer mapped the last time; a re-run with the same
fingerprint touches nothing (no save, no revision).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedObject(models.Model):
    KIND_AUTHOR = "author"
    KIND_CATEGORY = "category"
    KIND_TAG = "tag"
    KIND_POST = "post"
    KIND_PAGE = "page"
    KIND_ATTACHMENT = "attachment"
    KIND_COMMENT = "comment"
    KINDS = [
        (KIND_AUTHOR, "كاتب"),
        (KIND_CATEGORY, "تصنيف"),
        (KIND_TAG, "وسم"),
        (KIND_POST, "مقال"),
        (KIND_PAGE, "صفحة"),
        (KIND_ATTACHMENT, "مرفق"),
        (KIND_COMMENT, "تعليق"),
    ]

    source = models.CharField(
        "الموقع المصدر", max_length=255,
        help_text="عنوان مدونة ووردبريس كما في ملف التصدير (base_blog_url) دون البروتوكول.",
    )
    kind = models.CharField("النوع", max_length=16, choices=KINDS)
    wp_id = models.CharField("المعرّف في ووردبريس", max_length=64)
    guid = models.CharField("GUID", max_length=500, blank=True, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField("معرّف الكائن", max_length=64)
    fingerprint = models.CharField("بصمة القيم المستوردة", max_length=64, blank=True)
    created_at = models.DateTimeField("أول استيراد", auto_now_add=True)
    updated_at = models.DateTimeField("آخر تحديث", auto_now=True)

    class Meta:
        verbose_name = "كائن مستورد"
        verbose_name_plural = "الكائنات المستوردة"
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "wp_id"], name="importers_unique_wp_object"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} #{self.wp_id}"

    @property
    def target(self):
        """The Nashr object this row points to, or ``None`` when it was deleted."""
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None
