"""The spam guard: decides what happens to a posted comment before it is
stored.

Checks, in order (the first that answers decides):

==================  ==========  ===============================================
check               outcome     rule (setting)
==================  ==========  ===============================================
honeypot            reject      a field hidden from people was filled
form token          reject      the signed render time is missing or forged,
                                or the form is older than FORM_MAX_AGE_S
too fast            reject      posted sooner than ``NASHR_COMMENTS_MIN_SECONDS``
                                after the form was shown
rate, client        reject      ``NASHR_COMMENTS_LIMIT_PER_IP`` per
                                ``NASHR_COMMENTS_WINDOW_PER_IP_S``
rate, address       reject      ``NASHR_COMMENTS_LIMIT_PER_EMAIL`` per
                                ``NASHR_COMMENTS_WINDOW_PER_EMAIL_S``
duplicate           reject      same article, address and text as a comment
                                not in the trash
blocklist           spam        a word, address or IP of
                                ``NASHR_COMMENTS_BLOCKLIST`` or of the editors'
                                :class:`~.models.BlockedTerm` list
checker             spam/hold   ``NASHR_COMMENTS_SPAM_CHECKER`` says spam (an
                                error in it holds the comment)
links               hold        more than ``NASHR_COMMENTS_MAX_LINKS`` URLs
first comment       hold        no approved comment from this address yet, or
                                ``NASHR_COMMENTS_APPROVE_KNOWN`` off
==================  ==========  ===============================================

otherwise the comment is approved. A rejected post is not stored; the
reader sees the Arabic message and keeps what they typed. Every decision
other than "approve" is logged (logger ``nashr.comments.guard``) with its
reason; rejections are also counted in :class:`~.models.CommentRejection`.
The rules follow WordPress's discussion settings ("comment author must have
a previously approved comment", "hold a comment if it contains N or more
links", "disallowed comment keys").
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.utils.module_loading import import_string

from nashr.newsletter.ratelimit import rate_limit_hit

from .rendering import count_links

logger = logging.getLogger(__name__)

__all__ = [
    "Submission", "Verdict", "SpamChecker", "NoopChecker", "comment_guard",
    "form_token_make", "form_token_time", "checker_load",
]

#: a form older than this (seconds) is refused: ask the reader to reload
FORM_MAX_AGE_S = 7 * 24 * 3600
_FORM_SALT = "nashr.comments.form"

REJECT, SPAM, HOLD, APPROVE = "reject", "spam", "hold", "approve"

MSG_GENERIC = "تعذّر قبول التعليق. أعد تحميل الصفحة ثم حاول مرة أخرى."
MSG_EXPIRED = "انتهت صلاحية النموذج. أعد تحميل الصفحة ثم أرسل تعليقك مرة أخرى (نصّك محفوظ أدناه)."
MSG_TOO_FAST = "أُرسل التعليق بسرعة كبيرة. انتظر بضع ثوانٍ ثم أعد الإرسال."
MSG_RATE = "أرسلت تعليقات كثيرة في وقت قصير. حاول مرة أخرى بعد قليل."
MSG_DUPLICATE = "يبدو أنك أرسلت هذا التعليق نفسه من قبل."


#: what each reason code means, for editors (the moderation queue, emails)
REASON_LABELS = {
    "honeypot": "حقل مخفي مملوء (برنامج آلي)", "form-token": "نموذج منتهي الصلاحية أو مزوّر",
    "too-fast": "أُرسل أسرع مما يكتب إنسان", "rate-ip": "تعليقات كثيرة من العنوان نفسه",
    "rate-email": "تعليقات كثيرة من البريد نفسه", "duplicate": "تعليق مكرّر",
    "blocklist": "يطابق قائمة الحظر", "checker": "صنّفه فاحص الرسائل المزعجة",
    "checker-error": "تعذّر الاتصال بفاحص الرسائل المزعجة", "links": "روابط كثيرة",
    "first-comment": "أول تعليق من هذا البريد", "moderation": "كل التعليقات تُراجع أولًا",
    "known-author": "كاتب له تعليق منشور",
}


@dataclass(frozen=True)
class Submission:
    """What a reader posted, as the guard and the checker see it.

    ``client_ip`` is the rate-limit bucket from
    :func:`nashr.newsletter.ratelimit.client_ip`; it is never stored.
    ``rendered_at`` is the Unix time the form was shown (from the signed
    token), ``None`` when the token is missing or invalid."""

    article_id: int
    author_name: str
    author_email: str
    author_url: str
    body: str
    client_ip: str = ""
    user_agent: str = ""
    rendered_at: float | None = None
    honeypot: str = ""
    parent_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    """``action`` is ``"reject"``, ``"spam"``, ``"hold"`` or ``"approve"``;
    ``reason`` a short code (``"honeypot"``, ``"too-fast"``, ``"rate-ip"``,
    ``"rate-email"``, ``"duplicate"``, ``"blocklist"``, ``"checker"``,
    ``"checker-error"``, ``"links"``, ``"first-comment"``, ``"moderation"``,
    ``"form-token"``, ``"known-author"``); ``message`` the Arabic text for the
    reader when rejected; ``detail`` extra words for the editors' log."""

    action: str
    reason: str
    message: str = ""
    detail: str = field(default="", compare=False)


class SpamChecker:
    """Base class of pluggable spam checkers (Akismet and the like).

    Subclass it, implement :meth:`check`, and name the class in
    ``NASHR_COMMENTS_SPAM_CHECKER`` (dotted path). It is instantiated once
    per submission with no arguments; read your keys from settings."""

    def check(self, *, submission: Submission) -> str | None:
        """``"spam"``, ``"ham"`` or ``None`` (no opinion). Raising holds the
        comment for moderation; it never loses it."""
        raise NotImplementedError


class NoopChecker(SpamChecker):
    """The default: has no opinion on anything."""

    def check(self, *, submission: Submission) -> str | None:
        return None


def checker_load() -> SpamChecker:
    """An instance of the class named by ``NASHR_COMMENTS_SPAM_CHECKER``."""
    return import_string(settings.NASHR_COMMENTS_SPAM_CHECKER)()


def form_token_make(*, article_id: int, now: float | None = None) -> str:
    """A signed ``"<article id>:<unix time>"`` put in the form when it is
    shown; :func:`form_token_time` reads the time back."""
    now = time.time() if now is None else now
    return signing.Signer(salt=_FORM_SALT).sign(f"{int(article_id)}:{int(now)}")


def form_token_time(*, token: str, article_id: int) -> float | None:
    """The Unix time a form token was made, or ``None`` when it is missing,
    tampered with, or made for another article."""
    try:
        value = signing.Signer(salt=_FORM_SALT).unsign((token or "")[:200])
    except signing.BadSignature:
        return None
    art, _, stamp = value.partition(":")
    if art != str(int(article_id)) or not stamp.isdigit():
        return None
    return float(stamp)


def _blocklist() -> list[str]:
    from .models import BlockedTerm

    terms = list(settings.NASHR_COMMENTS_BLOCKLIST) + list(BlockedTerm.objects.values_list("term", flat=True))
    return [t.strip().casefold() for t in terms if t and t.strip()]


def _blocked_term(submission: Submission) -> str | None:
    """The first blocklist entry the submission matches: an IP (or CIDR
    network) against the client (for IPv6, its /64: a blocked address
    blocks the /64 it is in, as the rate limits count one /64 as one
    reader), an address (or ``@domain``) against the
    email, anything else as a case-insensitive substring of the name, email,
    website and text."""
    client = None
    try:
        # an IPv4 address, or the /64 network an IPv6 client is bucketed by
        # (nashr.newsletter.ratelimit.client_ip): never a single IPv6 address
        client = ipaddress.ip_network(submission.client_ip, strict=False) if submission.client_ip else None
    except ValueError:
        pass
    email = submission.author_email.casefold()
    haystack = "\n".join([submission.author_name, email, submission.author_url, submission.body]).casefold()
    for term in _blocklist():
        try:
            network = ipaddress.ip_network(term, strict=False)
        except ValueError:
            network = None
        if network is not None:
            if client is not None and client.version == network.version and client.overlaps(network):
                return term
            continue
        if "@" in term and " " not in term:
            if email == term or (term.startswith("@") and email.endswith(term)):
                return term
            continue
        if term in haystack:
            return term
    return None


def _reject(reason: str, message: str, detail: str = "") -> Verdict:
    return Verdict(REJECT, reason, message, detail)


def comment_guard(*, submission: Submission, now: float | None = None) -> Verdict:
    """Decide what happens to ``submission`` (see the module's table).

    Counts one hit against the rate limits (every post counts, refused or
    not). Reads the blocklist and at most two rows of comments. Logs every
    verdict other than "approve". Never raises: a failing checker holds."""
    from .models import Comment

    now = time.time() if now is None else now
    verdict = _decide(submission=submission, now=now, comment_model=Comment)
    if verdict.action != APPROVE:
        logger.info(
            "comment on article %s: %s (%s)%s", submission.article_id, verdict.action, verdict.reason,
            f" {verdict.detail}" if verdict.detail else "",
        )
    return verdict


def _decide(*, submission: Submission, now: float, comment_model) -> Verdict:
    s = submission
    if s.honeypot:
        return _reject("honeypot", MSG_GENERIC)
    if s.rendered_at is None:
        return _reject("form-token", MSG_EXPIRED)
    age = now - s.rendered_at
    if age > FORM_MAX_AGE_S:
        return _reject("form-token", MSG_EXPIRED, "form too old")
    if age < settings.NASHR_COMMENTS_MIN_SECONDS:
        return _reject("too-fast", MSG_TOO_FAST, f"{age:.1f}s")
    if not rate_limit_hit(scope="comment-ip", key=s.client_ip or "unknown",
                          limit=settings.NASHR_COMMENTS_LIMIT_PER_IP,
                          window_s=settings.NASHR_COMMENTS_WINDOW_PER_IP_S, now=now):
        return _reject("rate-ip", MSG_RATE)
    if not rate_limit_hit(scope="comment-email", key=s.author_email.casefold(),
                          limit=settings.NASHR_COMMENTS_LIMIT_PER_EMAIL,
                          window_s=settings.NASHR_COMMENTS_WINDOW_PER_EMAIL_S, now=now):
        return _reject("rate-email", MSG_RATE)
    if comment_model.objects.filter(
        article_id=s.article_id, author_email__iexact=s.author_email, body=s.body,
    ).exclude(status=comment_model.Status.TRASH).exists():
        return _reject("duplicate", MSG_DUPLICATE)
    term = _blocked_term(s)
    if term is not None:
        return Verdict(SPAM, "blocklist", detail=f"matched {term!r}")
    try:
        opinion = checker_load().check(submission=s)
    except Exception:  # noqa: BLE001 - a checker outage must not lose a comment
        logger.exception("spam checker failed; holding the comment")
        return Verdict(HOLD, "checker-error")
    if opinion == "spam":
        return Verdict(SPAM, "checker")
    links = count_links(s.body)
    if links > settings.NASHR_COMMENTS_MAX_LINKS:
        return Verdict(HOLD, "links", detail=f"{links} links")
    if not settings.NASHR_COMMENTS_APPROVE_KNOWN:
        return Verdict(HOLD, "moderation")
    known = comment_model.objects.filter(
        author_email__iexact=s.author_email, status=comment_model.Status.APPROVED,
    ).exists()
    if not known:
        return Verdict(HOLD, "first-comment")
    return Verdict(APPROVE, "known-author")
