"""Storing comments and moderating them: threading and its depth cap,
closing by switch and by age, what is stored about the client, editors'
replies and edits, bulk actions, and the retention of client data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nashr.articles.models import ArticlePage
from nashr.comments import services
from nashr.comments.models import Comment, CommentRejection
from nashr.comments.selectors import (
    article_comments_open, comment_counts, comments_for_article, comments_pending_count,
)

from .conftest import CLIENT_IP

pytestmark = pytest.mark.django_db


def test_stored_fields_and_no_raw_ip(submit):
    comment = submit(author_url="javascript:alert(1)", user_agent="X" * 1000,
                     author_email="  Sara.Reader@Example.ORG ")
    comment.refresh_from_db()
    assert comment.author_email == "sara.reader@example.org"
    assert comment.author_url == ""
    assert len(comment.user_agent) == 255
    assert CLIENT_IP not in comment.ip_hash and len(comment.ip_hash) == 64
    assert comment.ip_hash == services.comment_ip_hash(ip=CLIENT_IP)
    assert comment.depth == 0 and comment.parent_id is None


def test_replies_nest_up_to_the_depth_cap(approved, settings):
    settings.NASHR_COMMENTS_MAX_DEPTH = 3
    top = approved(body="أ")
    reply = approved(body="ب", parent_id=top.pk)
    deeper = approved(body="ج", parent_id=reply.pk)
    capped = approved(body="د", parent_id=deeper.pk)
    assert (reply.depth, reply.parent_id) == (1, top.pk)
    assert (deeper.depth, deeper.parent_id) == (2, reply.pk)
    # a fourth level is not allowed: it becomes a sibling of the deepest
    assert (capped.depth, capped.parent_id) == (2, reply.pk)


def test_reply_to_unknown_or_unapproved_parent_is_top_level(submit, site):
    pending = submit(body="معلّق")
    other_article = site["articles"][1]
    for parent_id in (pending.pk, 999999):
        reply = submit(body=f"رد {parent_id}", parent_id=parent_id, author_email=f"{parent_id}@example.org")
        assert reply.parent_id is None and reply.depth == 0
    foreign = submit(target=other_article, body="على مقال آخر", author_email="o@example.org")
    services.comment_approve(comment=foreign)
    assert submit(body="رد عابر", parent_id=foreign.pk, author_email="p@example.org").parent_id is None


def test_closed_by_switch_and_by_age(submit, article, settings):
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=False)
    article.refresh_from_db()
    assert not article_comments_open(article=article)
    with pytest.raises(services.CommentsClosed):
        submit(target=article)
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=True,
                                                     date_published=timezone.now() - timedelta(days=15))
    article.refresh_from_db()
    settings.NASHR_COMMENTS_CLOSE_AFTER_DAYS = 14
    assert not article_comments_open(article=article)
    settings.NASHR_COMMENTS_CLOSE_AFTER_DAYS = 16
    assert article_comments_open(article=article)
    assert submit(target=article).pk
    assert CommentRejection.objects.count() == 0


def test_thread_order_and_only_approved(approved, submit, settings):
    old = approved(body="قديم")
    new = approved(body="جديد", author_email="n@example.org")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    reply = approved(body="رد", parent_id=old.pk, author_email="r@example.org")
    submit(body="معلّق لم يُنشر", author_email="q@example.org")
    settings.NASHR_COMMENTS_ORDER = "oldest"
    tree = comments_for_article(article_id=old.article_id)
    assert [c.body for c in tree] == ["قديم", "جديد"]
    assert [c.body for c in tree[0].thread] == ["رد"]
    settings.NASHR_COMMENTS_ORDER = "newest"
    assert [c.body for c in comments_for_article(article_id=old.article_id)] == ["جديد", "قديم"]
    services.comment_trash(comment=Comment.objects.get(pk=old.pk))
    assert [c.body for c in comments_for_article(article_id=old.article_id)] == ["جديد"], \
        "a trashed comment's replies leave the page with it"
    assert reply.pk and new.pk


def test_counts_for_many_articles_in_one_query(site, approved, submit, django_assert_num_queries):
    a, b, c = site["articles"][:3]
    approved(target=a, body="1")
    approved(target=a, body="2", author_email="x@example.org")
    approved(target=b, body="3", author_email="y@example.org")
    submit(target=c, body="معلّق", author_email="z@example.org")
    with django_assert_num_queries(1):
        counts = comment_counts(article_ids=[a.pk, b.pk, c.pk])
    assert counts == {a.pk: 2, b.pk: 1}


def test_moderation_transitions_and_bulk(submit):
    comments = [submit(body=f"تعليق {i}", author_email=f"r{i}@example.org") for i in range(4)]
    assert comments_pending_count() == 4
    assert services.comments_bulk(action="approve", ids=[c.pk for c in comments[:2]]) == 2
    assert services.comments_bulk(action="approve", ids=[comments[0].pk]) == 0
    assert services.comments_bulk(action="spam", ids=[comments[2].pk]) == 1
    assert services.comment_trash(comment=comments[3])
    assert dict(Comment.objects.values_list("pk", "status")) == {
        comments[0].pk: "approved", comments[1].pk: "approved", comments[2].pk: "spam", comments[3].pk: "trash"}
    assert services.comments_bulk(action="delete", ids=[comments[3].pk]) == 1
    assert not Comment.objects.filter(pk=comments[3].pk).exists()
    with pytest.raises(ValueError):
        services.comments_bulk(action="publish-everything", ids=[comments[0].pk])


def test_editor_reply_approves_parent_and_edit_keeps_only_http_url(submit, editor):
    parent = submit(body="سؤال للمحرر")
    reply = services.comment_reply_as_editor(parent=parent, user=editor, body="شكرًا على سؤالك")
    parent.refresh_from_db()
    assert parent.status == Comment.Status.APPROVED
    assert reply.status == Comment.Status.APPROVED and reply.parent_id == parent.pk and reply.user_id == editor.pk
    assert reply.author_name == "ليلى المحرّرة"
    services.comment_edit(comment=parent, author_name="سارة", author_url="data:text/html,x", body="نص مصحّح")
    parent.refresh_from_db()
    assert (parent.author_name, parent.author_url, parent.body) == ("سارة", "", "نص مصحّح")


def test_client_data_is_forgotten_after_retention(submit, settings, article):
    settings.NASHR_COMMENTS_IP_RETENTION_DAYS = 30
    old = submit(body="قديم", user_agent="Firefox")
    new = submit(body="حديث", author_email="n@example.org", user_agent="Firefox")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    CommentRejection.objects.create(article=article, reason="honeypot", ip_hash="ab",
                                    created_at=timezone.now() - timedelta(days=40))
    assert services.comments_forget_clients() == 1
    assert services.comments_forget_clients() == 0  # safe to run again
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_hash, old.user_agent) == ("", "")
    assert new.ip_hash and new.user_agent
    assert CommentRejection.objects.count() == 0


def test_forget_command(submit, settings):
    from io import StringIO

    from django.core.management import call_command

    old = submit(body="قديم")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    out = StringIO()
    call_command("comments_forget_clients", stdout=out)
    assert "1 comment" in out.getvalue()
    assert Comment.objects.get(pk=old.pk).ip_hash == ""
