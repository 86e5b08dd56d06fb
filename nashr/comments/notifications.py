"""Comment emails: editors about a comment waiting for moderation, a reader
confirming reply notifications (opt-in, double), and a reader told of a
reply (with a one-click stop link).

Privacy: an email to a reader never contains another reader's address or
any IP data; the editors' email carries the commenter's address (editors
see it in the admin anyway) but no IP data. Comment text goes into emails
as plain text, and into the HTML part escaped by
:func:`.rendering.comment_body_html`.

Links are signed (``django.core.signing``, HMAC-SHA256). The salt includes
a hash of the comment's address, so a link works only while the comment
has the address it was made for; the address itself never appears in a URL::

    confirm   "<comment id>:<timestamp>:<signature>"   expires after CONFIRM_MAX_AGE
    stop      "<comment id>:<signature>"               never expires
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from email.header import Header
from email.utils import formataddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from nashr.newsletter.ratelimit import rate_limit_hit

from .models import Comment
from .rendering import comment_text_clean

logger = logging.getLogger(__name__)

CONFIRM_MAX_AGE = timedelta(days=7)
#: confirmation emails ("turn on reply notifications") one address gets a day
NOTIFY_REQUESTS_PER_DAY = 3
_SALT_CONFIRM = "nashr.comments.notify-confirm"
_SALT_STOP = "nashr.comments.notify-stop"


class LinkInvalid(Exception):
    """A notification link that is malformed, forged, expired or stale."""


def _salt(base: str, comment: Comment) -> str:
    return base + ":" + hashlib.sha256(comment.author_email.encode()).hexdigest()[:16]


def notify_token_make(*, comment: Comment, kind: str) -> str:
    """A ``"confirm"`` (timestamped) or ``"stop"`` token for ``comment``."""
    if kind == "confirm":
        return signing.TimestampSigner(salt=_salt(_SALT_CONFIRM, comment)).sign(str(comment.pk))
    return signing.Signer(salt=_salt(_SALT_STOP, comment)).sign(str(comment.pk))


def notify_token_check(*, token: str, kind: str) -> Comment:
    """The comment a token was made for; raises :class:`LinkInvalid`."""
    head = (token or "")[:200].split(":", 1)[0]
    if not head.isascii() or not head.isdigit():
        raise LinkInvalid("malformed")
    comment = Comment.objects.filter(pk=int(head)).select_related("article").first()
    if comment is None or not comment.author_email:
        raise LinkInvalid("no such comment")
    try:
        if kind == "confirm":
            signing.TimestampSigner(salt=_salt(_SALT_CONFIRM, comment)).unsign(token, max_age=CONFIRM_MAX_AGE)
        else:
            signing.Signer(salt=_salt(_SALT_STOP, comment)).unsign(token)
    except signing.BadSignature as exc:
        raise LinkInvalid(str(exc)) from exc
    return comment


def _one_line(text: str) -> str:
    return " ".join(comment_text_clean(text).split())


def _subject(subject: str) -> str:
    subject = _one_line(subject)[:150]
    if subject.isascii():
        return subject
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")
    return " ".join(encoded.split("\n "))


def _send(*, template: str, subject: str, to: list[str], context: dict) -> int:
    context = {"site_name": settings.NASHR_SITE_NAME, "site_url": settings.SITE_URL, **context}
    text = render_to_string(f"comments/email/{template}.txt", context)
    html = render_to_string(f"comments/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=_subject(subject), body=text,
        from_email=formataddr((settings.NASHR_SITE_NAME, settings.DEFAULT_FROM_EMAIL)), to=to,
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def _article_url(comment: Comment) -> str:
    return settings.SITE_URL.rstrip("/") + f"/p/{comment.article_id}/"


def editors_to_notify() -> list[str]:
    """Addresses of active users who may moderate comments (superusers and
    holders of ``comments.change_comment``)."""
    User = get_user_model()
    moderators = User.objects.with_perm("comments.change_comment",
                                        backend="django.contrib.auth.backends.ModelBackend")
    users = User.objects.filter(is_active=True).exclude(email="").filter(
        Q(is_superuser=True) | Q(pk__in=moderators.values("pk"))
    )
    return sorted({u.email for u in users})


def comment_editors_notify(*, comment_id: int) -> int:
    """Email the editors about a comment still waiting for moderation.
    Returns the number of messages sent (0 when it is no longer pending or
    nobody can moderate)."""
    comment = Comment.objects.filter(pk=comment_id, status=Comment.Status.PENDING).select_related("article").first()
    recipients = editors_to_notify() if comment else []
    if not recipients:
        return 0
    queue = settings.SITE_URL.rstrip("/") + reverse("comments_moderation") + "?status=pending"
    return _send(template="editors_pending", to=recipients,
                 subject=f"تعليق جديد بانتظار المراجعة: {comment.article.title}",
                 context={"comment": comment, "queue_url": queue, "article_url": _article_url(comment)})


def comment_notify_request(*, comment_id: int) -> int:
    """Email a reader who ticked "notify me of replies" the link that turns
    it on. Sent once per comment, and to one address at most
    ``NOTIFY_REQUESTS_PER_DAY`` times per (fixed, UTC) day."""
    comment = Comment.objects.filter(pk=comment_id, notify_replies=True, notify_confirmed_at__isnull=True) \
        .exclude(author_email="").select_related("article").first()
    if comment is None:
        return 0
    # The form needs no proof of the address: whoever types someone else's
    # address could have the site mail them once per comment. A few
    # requests per address a day, and no more.
    if not rate_limit_hit(scope="comment-notify-request", key=comment.author_email.casefold(),
                          limit=NOTIFY_REQUESTS_PER_DAY, window_s=24 * 3600):
        logger.warning("reply-notification request for comment %s not sent: address over the daily limit",
                       comment.pk)
        return 0
    base = settings.SITE_URL.rstrip("/")
    confirm = base + reverse("comments:notify_confirm", args=[notify_token_make(comment=comment, kind="confirm")])
    return _send(template="notify_confirm", to=[comment.author_email],
                 subject=f"أكّد الإعلام بالردود على تعليقك — {settings.NASHR_SITE_NAME}",
                 context={"comment": comment, "confirm_url": confirm, "article_url": _article_url(comment)})


def comment_reply_notify(*, reply_id: int) -> int:
    """Tell the author of the comment replied to, if they confirmed reply
    notifications and did not write the reply themselves; at most once per
    reply (a 7-day marker in the cache). Returns 0 or 1."""
    reply = Comment.objects.filter(pk=reply_id, status=Comment.Status.APPROVED) \
        .select_related("parent", "article").first()
    parent = reply.parent if reply else None
    if (parent is None or not parent.notify_replies or parent.notify_confirmed_at is None
            or not parent.author_email or parent.author_email == reply.author_email):
        return 0
    # one email per reply, even if the task runs twice (approve, unpublish,
    # approve again; or a retried task)
    if not cache.add(f"nashr:comments:reply-notified:{reply.pk}", 1, timeout=7 * 24 * 3600):
        return 0
    base = settings.SITE_URL.rstrip("/")
    stop = base + reverse("comments:notify_stop", args=[notify_token_make(comment=parent, kind="stop")])
    return _send(template="reply", to=[parent.author_email],
                 subject=f"ردّ جديد على تعليقك: {reply.article.title}",
                 context={"comment": parent, "reply": reply, "stop_url": stop,
                          "reply_url": _article_url(reply) + f"#comment-{reply.pk}"})
