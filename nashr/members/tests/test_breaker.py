"""Regression tests for defects found by trying to break members'
sign-in: each test is a way an emailed link or a session opened more than
a member's own account."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from nashr.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings, immediate_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def _member(email="reader@example.org"):
    from nashr.members.services import member_ensure

    subscriber = Subscriber.objects.create(email=email, email_key=email.lower(), status=Subscriber.Status.CONFIRMED,
                                           confirmed_at=timezone.now(), name="قارئ")
    return member_ensure(subscriber=subscriber)


def _token(member) -> str:
    from urllib.parse import parse_qs, urlsplit

    from nashr.members.services import member_signin_url

    member.user.refresh_from_db()
    return parse_qs(urlsplit(member_signin_url(member=member)).query)["sesame"][0]


def _editors_group():
    group = Group.objects.create(name="محرّرو الموقع")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


@pytest.mark.parametrize("how", ["group", "permission"])
def test_a_member_user_made_an_editor_is_never_signed_in_by_an_emailed_link(how):
    """Wagtail's admin needs only ``wagtailadmin.access_admin`` (a group is
    enough, no ``is_staff``). A member's user that an administrator put in
    an editors' group (it is listed among Wagtail's users) was still signed
    in by a magic link — straight into the admin, on the strength of an
    email alone."""
    member = _member()
    token = _token(member)
    if how == "group":
        member.user.groups.add(_editors_group())
    else:
        member.user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    client = Client()
    landing = client.get("/account/signin/link/", {"sesame": token})
    assert landing.status_code == 400
    assert "هذا الرابط استُخدم من قبل أو لم يعد صالحًا" in landing.content.decode()
    response = client.post("/account/signin/link/", {"sesame": token})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_a_members_session_ends_when_the_user_is_given_an_editors_group():
    """A session opened by a link must not become an admin session later."""
    member = _member()
    client = Client()
    assert client.post("/account/signin/link/", {"sesame": _token(member)}).status_code == 302
    assert client.get("/account/").status_code == 200
    member.user.groups.add(_editors_group())
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")
    assert client.get("/account/")["Location"].startswith("/account/signin/")


def test_an_ordinary_member_still_signs_in():
    member = _member()
    client = Client()
    response = client.post("/account/signin/link/", {"sesame": _token(member)})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert int(client.session["_auth_user_id"]) == member.user_id


def test_deleting_an_account_erases_comments_posted_with_the_other_spelling_of_an_idn_address():
    """A reader subscribed as ``qari@مثال.مصر``; Chrome's ``type=email``
    field sends the same address as ``qari@xn--mgbh0fb.xn--wgbh1c``, and
    that is how the comment form stored it. Deleting the account compared
    the two strings and left that comment with the address and name."""
    from nashr.articles.tests.factories import build_site
    from nashr.comments.models import Comment

    article = build_site(articles_per_section=1, body_images=0)["articles"][0]
    subscriber = Subscriber.objects.create(
        email="qari@مثال.مصر", email_key="qari@xn--mgbh0fb.xn--wgbh1c", status=Subscriber.Status.CONFIRMED,
        confirmed_at=timezone.now(), name="قارئ")
    from nashr.members.services import member_ensure

    member = member_ensure(subscriber=subscriber)
    posted_ascii = Comment.objects.create(
        article=article, author_name="قارئ عربي", author_email="qari@xn--mgbh0fb.xn--wgbh1c",
        author_url="https://qari.example", body="تعليق", status="approved", ip_hash="a" * 64)
    posted_unicode = Comment.objects.create(
        article=article, author_name="قارئ عربي", author_email="qari@مثال.مصر", body="تعليق ثانٍ",
        status="approved")
    someone_else = Comment.objects.create(
        article=article, author_name="آخر", author_email="qari2@xn--mgbh0fb.xn--wgbh1c", body="تعليق آخر",
        status="approved")
    client = Client()
    client.force_login(member.user, backend="nashr.members.backends.MemberTokenBackend")
    response = client.post("/account/delete/", {"confirm": "yes"})
    assert response.status_code == 200 and "حُذف حسابك" in response.content.decode()
    for comment in (posted_ascii, posted_unicode):
        comment.refresh_from_db()
        assert (comment.author_email, comment.author_name, comment.author_url, comment.ip_hash) == ("", "قارئ", "", "")
    someone_else.refresh_from_db()
    assert someone_else.author_email == "qari2@xn--mgbh0fb.xn--wgbh1c"


def test_two_first_sign_in_requests_at_once_make_one_member_and_no_500(django_capture_on_commit_callbacks):
    """A new member double-clicks «أرسل رابط الدخول»: both requests found
    no member row and both created one; the second hit the one-to-one
    constraint — HTTP 500 (on PostgreSQL; SQLite's write lock hides it).
    Here the other request commits its member while this one is between
    its check and its insert."""
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.db.models.signals import post_save

    from nashr.members.models import Member

    Subscriber.objects.create(email="new@example.org", email_key="new@example.org",
                              status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    User = get_user_model()
    raced = []

    def other_request(sender, instance, created, **kwargs):
        if created and not raced and instance.username.startswith("member-"):
            raced.append(True)
            other = User(username="member-0123456789abcdef", email="new@example.org")
            other.set_unusable_password()
            other.save()
            Member.objects.create(user=other, subscriber=Subscriber.objects.get(email_key="new@example.org"))

    post_save.connect(other_request, sender=User, dispatch_uid="breaker-race")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(raise_request_exception=False).post("/account/signin/", {"email": "new@example.org"})
    finally:
        post_save.disconnect(dispatch_uid="breaker-race", sender=User)
    assert raced
    assert response.status_code == 200 and "new@example.org" in response.content.decode()
    member = Member.objects.get()
    assert member.user.username == "member-0123456789abcdef"
    assert User.objects.filter(username__startswith="member-").count() == 1  # no orphan user left
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.org"]
