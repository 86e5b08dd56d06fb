"""The spam guard: each rule refuses, holds or files as spam what it
should, the reader gets an Arabic message, and every refusal is logged and
counted with its reason."""

import logging
import time

import pytest

from nashr.comments.guard import SpamChecker, form_token_make, form_token_time
from nashr.comments.models import BlockedTerm, Comment, CommentRejection
from nashr.comments.services import CommentRejected

from .conftest import CLIENT_IP, old_token

pytestmark = pytest.mark.django_db


class AlwaysSpam(SpamChecker):
    def check(self, *, submission):
        return "spam"


class Broken(SpamChecker):
    def check(self, *, submission):
        raise ConnectionError("checker service down")


def rejected(submit, **fields):
    with pytest.raises(CommentRejected) as info:
        submit(**fields)
    return info.value.verdict


def test_form_token_round_trip_and_tampering(article):
    token = form_token_make(article_id=article.pk, now=1_700_000_000)
    assert form_token_time(token=token, article_id=article.pk) == 1_700_000_000
    assert form_token_time(token=token, article_id=article.pk + 1) is None
    assert form_token_time(token=token.replace("1700000000", "1600000000"), article_id=article.pk) is None
    assert form_token_time(token="", article_id=article.pk) is None


def test_honeypot_is_refused_logged_and_counted(submit, caplog):
    with caplog.at_level(logging.INFO, logger="nashr.comments.guard"):
        verdict = rejected(submit, honeypot="ACME Ltd")
    assert verdict.reason == "honeypot" and "تعذّر" in verdict.message
    assert Comment.objects.count() == 0
    assert list(CommentRejection.objects.values_list("reason", flat=True)) == ["honeypot"]
    assert "reject (honeypot)" in caplog.text


def test_posting_sooner_than_the_minimum_is_refused(submit, article, settings):
    settings.NASHR_COMMENTS_MIN_SECONDS = 5
    verdict = rejected(submit, form_token=form_token_make(article_id=article.pk, now=time.time() - 1))
    assert verdict.reason == "too-fast" and "بسرعة" in verdict.message
    assert submit(form_token=old_token(article.pk, seconds=6)).pk


def test_missing_or_forged_token_is_refused(submit):
    assert rejected(submit, form_token="").reason == "form-token"
    assert rejected(submit, form_token="1:2:forged").reason == "form-token"


def test_rate_limit_per_ip(submit, settings):
    settings.NASHR_COMMENTS_LIMIT_PER_IP = 2
    submit(author_email="a@example.org", body="واحد")
    submit(author_email="b@example.org", body="اثنان")
    verdict = rejected(submit, author_email="c@example.org", body="ثلاثة")
    assert verdict.reason == "rate-ip" and "كثيرة" in verdict.message
    # another client is not affected
    assert submit(author_email="d@example.org", body="أربعة", client_ip="203.0.113.9").pk


def test_rate_limit_per_email(submit, settings):
    settings.NASHR_COMMENTS_LIMIT_PER_EMAIL = 1
    submit(body="الأول")
    verdict = rejected(submit, body="الثاني", client_ip="203.0.113.10", author_email="SARA.reader@example.org")
    assert verdict.reason == "rate-email"


def test_duplicate_is_refused_but_a_trashed_one_may_be_sent_again(submit):
    first = submit(body="نفس النص")
    assert rejected(submit, body="نفس النص").reason == "duplicate"
    first.status = Comment.Status.TRASH
    first.save()
    assert submit(body="نفس النص").pk != first.pk


@pytest.mark.parametrize("where, term, fields", [
    ("setting", "كازينو", {"body": "اربح في الكازينو الآن"}),
    ("setting", "spammer@example.net", {"author_email": "Spammer@example.net"}),
    ("setting", "@bad.example", {"author_email": "x@bad.example"}),
    ("setting", CLIENT_IP, {}),
    ("setting", "198.51.100.0/24", {}),
    ("admin", "رخيص جدًا", {"author_name": "بيع رخيص جدًا"}),
    ("admin", "cheap-pills.example", {"author_url": "https://cheap-pills.example/"}),
])
def test_blocklist_files_as_spam(submit, settings, where, term, fields):
    if where == "setting":
        settings.NASHR_COMMENTS_BLOCKLIST = [term]
    else:
        BlockedTerm.objects.create(term=term)
    comment = submit(**fields)
    assert comment.status == Comment.Status.SPAM and comment.guard_reason == "blocklist"


def test_blocklist_does_not_match_other_addresses(submit, settings):
    settings.NASHR_COMMENTS_BLOCKLIST = ["203.0.113.0/24", "other@example.org"]
    assert submit().status == Comment.Status.PENDING


def test_pluggable_checker_spam_and_failure(submit, settings):
    settings.NASHR_COMMENTS_SPAM_CHECKER = "nashr.comments.tests.test_guard.AlwaysSpam"
    assert submit(body="أ").status == Comment.Status.SPAM
    settings.NASHR_COMMENTS_SPAM_CHECKER = "nashr.comments.tests.test_guard.Broken"
    held = submit(body="ب")
    assert held.status == Comment.Status.PENDING and held.guard_reason == "checker-error"


def test_too_many_links_hold_even_a_known_author(approved, submit, settings):
    settings.NASHR_COMMENTS_MAX_LINKS = 1
    approved(body="تعليق سابق")
    held = submit(body="http://a.example و https://b.example")
    assert held.status == Comment.Status.PENDING and held.guard_reason == "links"


def test_first_comment_is_held_then_known_author_is_published(submit, approved, settings):
    first = submit(body="أول تعليق")
    assert first.status == Comment.Status.PENDING and first.guard_reason == "first-comment"
    approved(body="تعليق آخر وافق عليه المحرر")
    later = submit(body="تعليق لاحق", author_email="Sara.Reader@Example.org")
    assert later.status == Comment.Status.APPROVED and later.guard_reason == ""
    settings.NASHR_COMMENTS_APPROVE_KNOWN = False
    assert submit(body="ومرة أخرى").status == Comment.Status.PENDING
