"""Emails over real SMTP on loopback: editors hear of a pending comment
(when the setting is on); a reader who ticks "notify me" confirms by a
signed link, is told of approved replies, and can stop them by a link."""

import re

import pytest

from nashr.comments import notifications
from nashr.comments.models import Comment
from nashr.comments.services import comment_approve

from .conftest import post_data

pytestmark = pytest.mark.django_db


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())


def test_editors_are_emailed_about_a_pending_comment(reader, article, editor, smtp, settings, tasks_now,
                                                     django_capture_on_commit_callbacks):
    settings.NASHR_COMMENTS_NOTIFY_EDITORS = True
    with django_capture_on_commit_callbacks(execute=True):
        reader.post("/comments/post/", post_data(article, body="هل من مصدر لهذا الخبر؟"))
    messages = smtp.handler.parsed()
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "editor@example.org"
    assert str(message["Subject"]).startswith("تعليق جديد بانتظار المراجعة")
    text = message.get_body(("plain",)).get_content()
    assert "هل من مصدر لهذا الخبر؟" in text and "/admin/comments/?status=pending" in text
    assert Comment.objects.get().ip_hash not in message.as_string()


def test_no_editor_email_when_the_setting_is_off(reader, article, editor, smtp, tasks_now,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reader.post("/comments/post/", post_data(article))
    assert smtp.handler.parsed() == []


def test_no_editor_email_for_a_comment_moderated_meanwhile(submit, editor, smtp, settings):
    comment = submit()
    comment_approve(comment=comment)
    assert notifications.comment_editors_notify(comment_id=comment.pk) == 0
    assert smtp.handler.parsed() == []


def test_reply_notifications_opt_in_confirm_notify_and_stop(reader, client, article, approved, smtp, tasks_now,
                                                             django_capture_on_commit_callbacks):
    approved(body="تعليق سابق")  # the reader is known: published at once
    with django_capture_on_commit_callbacks(execute=True):
        reader.post("/comments/post/", post_data(article, body="أريد أن أعرف الردود", notify_replies="1"))
    mine = Comment.objects.latest("pk")
    assert mine.notify_replies and mine.notify_confirmed_at is None
    [confirm_mail] = smtp.handler.parsed()
    assert confirm_mail["To"] == "sara.reader@example.org"
    confirm_url = next(u for u in links(confirm_mail) if "/comments/notify/confirm/" in u)
    path = confirm_url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "نعم، أعلمني بالردود" in page.content.decode()
    mine.refresh_from_db()
    assert mine.notify_confirmed_at is None, "GET changes nothing (mail scanners follow links)"
    assert client.post("/" + path).status_code == 200
    mine.refresh_from_db()
    assert mine.notify_confirmed_at is not None

    # another reader replies; the reply is approved by an editor -> one email
    from nashr.comments.services import comment_submit

    from .conftest import old_token

    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_submit(article=article, author_name="عمر", author_email="omar@example.org",
                               body="هذا ردّي عليك", parent_id=mine.pk, client_ip="203.0.113.5",
                               form_token=old_token(article.pk))
    assert reply.status == Comment.Status.PENDING
    assert len(smtp.handler.parsed()) == 1, "nothing before the reply is approved"
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=reply)
    reply_mail = smtp.handler.parsed()[-1]
    assert reply_mail["To"] == "sara.reader@example.org"
    body = reply_mail.get_body(("plain",)).get_content()
    assert "هذا ردّي عليك" in body and f"#comment-{reply.pk}" in body
    assert "omar@example.org" not in reply_mail.as_string()
    assert notifications.comment_reply_notify(reply_id=reply.pk) == 0, "never twice for one reply"
    stop_url = next(u for u in links(reply_mail) if "/comments/notify/stop/" in u)
    stop_path = "/" + stop_url.split("://", 1)[1].split("/", 1)[1]
    assert "أوقف الرسائل" in client.get(stop_path).content.decode()
    client.post(stop_path)
    mine.refresh_from_db()
    assert not mine.notify_replies

    with django_capture_on_commit_callbacks(execute=True):
        again = comment_submit(article=article, author_name="عمر", author_email="omar@example.org",
                               body="ردّ ثانٍ", parent_id=mine.pk, client_ip="203.0.113.5",
                               form_token=old_token(article.pk))
        comment_approve(comment=again)
    assert len(smtp.handler.parsed()) == 2, "no email after stopping"


def test_notification_links_are_signed(client, submit):
    comment = submit(notify_replies=True)
    assert client.get("/comments/notify/confirm/1:forged/").status_code == 400
    good = notifications.notify_token_make(comment=comment, kind="confirm")
    stop = notifications.notify_token_make(comment=comment, kind="stop")
    assert client.get(f"/comments/notify/confirm/{stop}/").status_code == 400, "one kind is not another"
    assert client.get(f"/comments/notify/confirm/{good}/").status_code == 200
    Comment.objects.filter(pk=comment.pk).update(author_email="changed@example.org")
    assert client.get(f"/comments/notify/confirm/{good}/").status_code == 400, "bound to the address"
