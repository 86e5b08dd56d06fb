"""Newsletter data: subscribers, the suppression list, issues and deliveries.

One :class:`Delivery` row exists per (issue, subscriber) — a database
constraint, so an issue can never be queued twice to the same person.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "بانتظار التأكيد"
        CONFIRMED = "confirmed", "مشترك"
        UNSUBSCRIBED = "unsubscribed", "ألغى الاشتراك"
        CLEANED = "cleaned", "موقوف (ارتداد أو شكوى)"

    email = models.EmailField("البريد الإلكتروني", max_length=254)
    #: lower-cased whole address: the identity used for uniqueness and the
    #: suppression list (mailbox local parts are case-insensitive in practice)
    email_key = models.CharField(max_length=254, unique=True, editable=False)
    name = models.CharField("الاسم", max_length=200, blank=True)
    status = models.CharField("الحالة", max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    source = models.CharField("المصدر", max_length=64, blank=True, default="form")
    created_at = models.DateTimeField("تاريخ التسجيل", auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField("تاريخ التأكيد", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("تاريخ الإلغاء", null=True, blank=True)
    soft_bounces = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "مشترك"
        verbose_name_plural = "المشتركون"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class Suppression(models.Model):
    """An address never to be sent to again (hard bounce, complaint, or an
    operator's decision). Keyed by the lower-cased address."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", "ارتداد دائم"
        SOFT_BOUNCE = "soft_bounce", "ارتدادات مؤقتة متكررة"
        COMPLAINT = "complaint", "شكوى (بريد مزعج)"
        MANUAL = "manual", "يدوي"

    email_key = models.CharField(max_length=254, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "عنوان محظور"
        verbose_name_plural = "قائمة الحظر"

    def __str__(self) -> str:
        return self.email_key


class Issue(models.Model):
    """One mailing. An issue made for an article is unique per article, so
    publishing, unpublishing and republishing never send it twice."""

    class Status(models.TextChoices):
        DRAFT = "draft", "مسودة"
        SCHEDULED = "scheduled", "مجدول"
        SENDING = "sending", "قيد الإرسال"
        PAUSED = "paused", "متوقف مؤقتًا"
        CANCELLED = "cancelled", "ملغى"
        SENT = "sent", "أُرسل"

    article = models.OneToOneField(
        "articles.ArticlePage", verbose_name="المقال", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="newsletter_issue",
    )
    subject = models.CharField("العنوان", max_length=200)
    status = models.CharField("الحالة", max_length=16, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    send_at = models.DateTimeField("موعد الإرسال", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: the parts rendered once per issue; per-recipient links are filled in
    #: by plain string substitution at send time
    html_template = models.TextField(blank=True, editable=False)
    text_template = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "عدد النشرة"
        verbose_name_plural = "أعداد النشرة"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One email of one issue to one subscriber.

    ``sending`` is written (and committed) before the provider is called and
    ``sent`` after it answers; a row found in ``sending`` by a later worker
    has an unknown outcome and becomes ``unknown`` for the operator to decide,
    never silently re-sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", "في الانتظار"
        SENDING = "sending", "قيد الإرسال"
        SENT = "sent", "أُرسل"
        FAILED = "failed", "فشل"
        BOUNCED = "bounced", "ارتد"
        COMPLAINED = "complained", "شكوى"
        UNKNOWN = "unknown", "نتيجة مجهولة"
        SKIPPED = "skipped", "تُخطّي (محظور أو ألغى الاشتراك)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "تسليم"
        verbose_name_plural = "التسليمات"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_delivery_per_subscriber"),
        ]
        indexes = [models.Index(fields=["issue", "status"])]


class ProviderEvent(models.Model):
    """An email provider's webhook event already acted on (bounce,
    complaint, unsubscribe), so a provider retrying the same webhook —
    they do, on any timeout — changes nothing the second time.

    ``event_id`` is ``"<ESP name>:<the provider's event id>"`` (anymail's
    ``AnymailTrackingEvent.event_id``), so two providers' ids never collide."""

    event_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "حدث من مزوّد البريد"
        verbose_name_plural = "أحداث مزوّد البريد"

    def __str__(self) -> str:
        return self.event_id
