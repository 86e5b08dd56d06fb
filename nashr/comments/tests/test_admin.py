"""The moderation queue in the Wagtail admin: tabs and counts, the menu
counter, approve / spam / trash / delete, bulk actions, editing, replying
as an editor, the blocklist, and who may get in. Emails and IP hashes are
shown here (to editors) and nowhere public."""

import json

import pytest
from lxml import html as lxml_html

from nashr.comments.models import BlockedTerm, Comment

pytestmark = pytest.mark.django_db


def doc(response):
    assert response.status_code == 200
    return lxml_html.document_fromstring(response.content)


def test_queue_lists_pending_with_email_and_ip_hash(editor_client, submit):
    comment = submit(body="تعليق ينتظر")
    page = doc(editor_client.get("/admin/comments/"))
    row = page.xpath(f'//tr[@id="queue-comment-{comment.pk}"]')[0]
    assert "تعليق ينتظر" in row.text_content()
    assert "sara.reader@example.org" in row.text_content()
    assert comment.ip_hash[:12] in row.text_content()
    assert "أول تعليق من هذا البريد" in row.text_content(), "why it was held"
    tabs = [" ".join(a.text_content().split()) for a in page.xpath('//ul[@class="cm-queue__tabs"]//a')]
    assert tabs[:4] == ["بانتظار المراجعة (1)", "منشور (0)", "مزعج (0)", "المهملات (0)"]


def _menu_label(text: str) -> str:
    """How the admin sidebar's JSON carries a label."""
    return '"label": ' + json.dumps(text)


def test_menu_item_shows_pending_count(editor_client, submit):
    html = editor_client.get("/admin/").content.decode()
    assert _menu_label("التعليقات") + ', "icon_name": "comment"' in html
    submit(body="واحد")
    submit(body="اثنان", author_email="b@example.org")
    html = editor_client.get("/admin/").content.decode()
    assert _menu_label("التعليقات (2)") in html


def test_single_actions(editor_client, submit):
    comment = submit(body="للنشر")
    response = editor_client.post(f"/admin/comments/{comment.pk}/action/approve/", {"status": "pending"})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    editor_client.post(f"/admin/comments/{comment.pk}/action/spam/")
    assert Comment.objects.get(pk=comment.pk).status == "spam"
    editor_client.post(f"/admin/comments/{comment.pk}/action/trash/")
    assert Comment.objects.get(pk=comment.pk).status == "trash"
    editor_client.post(f"/admin/comments/{comment.pk}/action/pending/")
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    assert editor_client.get(f"/admin/comments/{comment.pk}/action/approve/").status_code == 405
    editor_client.post(f"/admin/comments/{comment.pk}/action/delete/")
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_bulk_actions(editor_client, submit):
    ids = [submit(body=f"تعليق {i}", author_email=f"r{i}@example.org").pk for i in range(3)]
    response = editor_client.post("/admin/comments/", {"action": "approve", "ids": ids[:2], "status": "pending"},
                                  follow=True)
    assert "نُشر: 2" in response.content.decode()
    assert sorted(Comment.objects.filter(status="approved").values_list("pk", flat=True)) == ids[:2]
    editor_client.post("/admin/comments/", {"action": "spam", "ids": [ids[2]]})
    assert Comment.objects.get(pk=ids[2]).status == "spam"
    page = doc(editor_client.get("/admin/comments/?status=spam"))
    assert page.xpath(f'//tr[@id="queue-comment-{ids[2]}"]')
    editor_client.post("/admin/comments/", {"action": "delete", "ids": ids})
    assert Comment.objects.count() == 0


def test_edit_and_reply_as_editor(editor_client, submit, article, reader):
    comment = submit(body="نص فيه خطأ")
    page = doc(editor_client.get(f"/admin/comments/{comment.pk}/edit/"))
    assert page.xpath('//textarea[@name="body"]')[0].text_content().strip() == "نص فيه خطأ"
    editor_client.post(f"/admin/comments/{comment.pk}/edit/", {
        "author_name": "سارة", "author_url": "javascript:alert(1)", "body": "نص مصحّح"})
    comment.refresh_from_db()
    assert (comment.author_name, comment.author_url, comment.body) == ("سارة", "", "نص مصحّح")
    response = editor_client.post(f"/admin/comments/{comment.pk}/reply/", {"body": "شكرًا يا سارة"})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert reply.status == "approved" and reply.user_id is not None
    comment.refresh_from_db()
    assert comment.status == "approved", "replying approves the comment"
    public = doc(reader.get(article.url))
    item = public.xpath(f'//li[@id="comment-{reply.pk}"]')[0]
    assert "شكرًا يا سارة" in item.text_content() and "فريق التحرير" in item.text_content()
    empty = editor_client.post(f"/admin/comments/{comment.pk}/reply/", {"body": ""})
    assert "اكتب الرد." in empty.content.decode()


def test_blocklist_is_editable_in_the_admin(editor_client, submit):
    response = editor_client.post("/admin/comments_blocklist/new/", {"term": "قمار"})
    assert response.status_code == 302
    assert BlockedTerm.objects.filter(term="قمار").exists()
    assert submit(body="موقع قمار").status == "spam"


def test_only_moderators_get_in(client, django_user_model, submit):
    from django.contrib.auth.models import Permission

    comment = submit(body="سرّي")
    user = django_user_model.objects.create_user("writer", "writer@example.org", "pass-1234-word")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get("/admin/comments/").status_code in (302, 403)
    assert client.post(f"/admin/comments/{comment.pk}/action/approve/").status_code in (302, 403)
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    assert _menu_label("التعليقات") not in client.get("/admin/").content.decode()
    client.logout()
    assert client.get("/admin/comments/").status_code == 302  # to the login page
