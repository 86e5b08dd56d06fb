"""Signing in by magic link, the account page, signing out, deleting."""

from __future__ import annotations

import copy
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from nashr.members.tests.html import by_class, by_id, parse
from nashr.newsletter.models import Delivery, Issue, Subscriber, Suppression

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s\"<>]+/account/signin/link/\?[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _settings(settings, immediate_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def _subscriber(email="reader@example.org", status=Subscriber.Status.CONFIRMED, confirmed=True):
    return Subscriber.objects.create(email=email, email_key=email.lower(), status=status,
                                     confirmed_at=timezone.now() if confirmed else None, name="قارئ")


def _ask(client, email, next_url=""):
    with_next = {"next": next_url} if next_url else {}
    return client.post("/account/signin/", {"email": email, **with_next})


def _link(message) -> str:
    return LINK.search(message.body).group(0).replace("&amp;", "&")


def _landing(client, link):
    path = link.removeprefix("http://testserver")
    response = client.get(path)
    doc = parse(response)
    return response, doc


def _press(client, doc):
    form = by_class(doc, "nl-action", "form")[0]
    data = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    return client.post(form.get("action"), data)


def test_member_signs_in_by_link_and_the_link_works_once(django_capture_on_commit_callbacks):
    _subscriber()
    client = Client(enforce_csrf_checks=True)
    client.get("/account/signin/")  # the form page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/signin/", {"email": "Reader@Example.org", "csrfmiddlewaretoken": token,
                                                    "next": "/some/article/"})
    assert response.status_code == 200 and "تحقّق من بريدك" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"] and message.subject.startswith("=?utf-8?")
    assert "رابط الدخول" in message.body and "30 دقيقة" in message.body
    link = _link(message)
    assert "next=%2Fsome%2Farticle%2F" in link
    html_part = message.alternatives[0][0]
    assert 'dir="rtl"' in html_part and link.split("?")[1].split("&")[0] in html_part

    # GET (a mail scanner) shows a button and spends nothing
    for _ in range(2):
        response, doc = _landing(client, link)
        assert response.status_code == 200 and "ادخل الآن" in doc.text_content()
        assert response["Referrer-Policy"] == "strict-origin"
    response = _press(client, doc)
    assert response.status_code == 302 and response["Location"] == "/some/article/"
    page = client.get("/account/")
    assert page.status_code == 200 and "reader@example.org" in page.content.decode()
    assert "private" in page["Cache-Control"]

    # the same link again, in another browser: refused with a clear message
    other = Client()
    response, doc = _landing(other, link)
    assert response.status_code == 400
    assert "هذا الرابط استُخدم من قبل أو لم يعد صالحًا" in doc.text_content()
    response = other.post("/account/signin/link/", {"sesame": link.split("sesame=")[1].split("&")[0]})
    assert response.status_code == 400 and other.get("/account/").status_code == 302


def test_expired_link_says_so(settings, django_capture_on_commit_callbacks, monkeypatch):
    _subscriber()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "reader@example.org")
    link = _link(mail.outbox[0])
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 31 * 60)
    response, doc = _landing(client, link)
    assert response.status_code == 410
    assert "انتهت صلاحية رابط الدخول" in doc.text_content()
    assert by_id(doc, "signin-email")  # and the form to ask again


def test_same_answer_and_no_email_for_non_members(django_capture_on_commit_callbacks):
    _subscriber("pending@example.org", status=Subscriber.Status.PENDING, confirmed=False)
    _subscriber("cleaned@example.org", status=Subscriber.Status.CLEANED)
    _subscriber("suppressed@example.org")
    Suppression.objects.create(email_key="suppressed@example.org", reason=Suppression.Reason.COMPLAINT)
    _subscriber("member@example.org")
    answers = []
    for address in ("stranger@example.org", "pending@example.org", "cleaned@example.org",
                    "suppressed@example.org", "member@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = _ask(Client(), address)
        html = response.content.decode().replace(address, "ADDRESS")
        answers.append((response.status_code, re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)))
    assert len(set(answers)) == 1
    assert [m.to for m in mail.outbox] == [["member@example.org"]]


def test_unsubscribed_member_still_signs_in(django_capture_on_commit_callbacks):
    _subscriber(status=Subscriber.Status.UNSUBSCRIBED)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(Client(), "reader@example.org")
    assert len(mail.outbox) == 1


def test_invalid_address_gets_an_arabic_error_and_keeps_the_text():
    response = _ask(Client(), "reader@@example")
    assert response.status_code == 400
    doc = parse(response)
    assert by_id(doc, "signin-email")[0].get("value") == "reader@@example"
    assert "بريدًا إلكترونيًا صالحًا" in by_id(doc, "signin-email-error")[0].text_content()
    response = _ask(Client(), "reader@example.org\r\nBcc: x@example.org")
    assert response.status_code == 400 and "محارف تحكّم" in response.content.decode()


def test_rate_limits_per_address_and_per_ip(settings, django_capture_on_commit_callbacks):
    settings.NASHR_SIGNIN_LIMIT_PER_ADDRESS = 2
    settings.NASHR_SIGNIN_LIMIT_PER_IP = 4
    _subscriber()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            assert _ask(client, "reader@example.org").status_code == 200
    assert len(mail.outbox) == 2  # per address
    _subscriber("second@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, "second@example.org").status_code == 200
    assert len(mail.outbox) == 2  # the IP's 5th request in the window: nothing sent
    with django_capture_on_commit_callbacks(execute=True):
        Client(REMOTE_ADDR="192.0.2.7").post("/account/signin/", {"email": "second@example.org"})
    assert len(mail.outbox) == 3  # another IP still may


def test_a_link_never_signs_an_editor_in():
    from sesame.utils import get_token

    from nashr.members.services import SIGNIN_SCOPE

    editor = get_user_model().objects.create_superuser("editor", "reader@example.org", "x-pass-123456")
    _subscriber()  # same address as the editor's
    token = get_token(editor, scope=SIGNIN_SCOPE)
    client = Client()
    response = client.post("/account/signin/link/", {"sesame": token})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_link_for_another_scope_or_tampered_is_refused(django_capture_on_commit_callbacks):
    from sesame.utils import get_token

    _subscriber()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(Client(), "reader@example.org")
    link = _link(mail.outbox[0])
    token = link.split("sesame=")[1].split("&")[0]
    user = get_user_model().objects.get(email="reader@example.org")
    for bad in (get_token(user), token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), token[:10], "x" * 500):
        assert Client().post("/account/signin/link/", {"sesame": bad}).status_code == 400
    # an address change makes the old link invalid
    Subscriber.objects.filter(email_key="reader@example.org").update(email="new@example.org",
                                                                     email_key="new@example.org")
    from nashr.members.services import member_ensure

    member_ensure(subscriber=Subscriber.objects.get(email_key="new@example.org"))
    assert Client().post("/account/signin/link/", {"sesame": token}).status_code == 400


def test_next_never_leaves_the_site(django_capture_on_commit_callbacks):
    _subscriber()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(Client(), "reader@example.org", next_url="https://evil.example/")
    link = _link(mail.outbox[0])
    assert "evil" not in link
    client = Client()
    response, doc = _landing(client, link + "&next=//evil.example/")
    response = _press(client, doc)
    assert response["Location"] == "/account/"


def _signed_in(django_capture_on_commit_callbacks):
    _subscriber()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "reader@example.org")
    _, doc = _landing(client, _link(mail.outbox[-1]))
    _press(client, doc)
    return client


def test_account_page_newsletter_off_and_on_keeps_membership(django_capture_on_commit_callbacks):
    client = _signed_in(django_capture_on_commit_callbacks)
    page = client.get("/account/").content.decode()
    assert "النشرة البريدية" in page and "تصلك" in page
    response = client.post("/account/", {"action": "newsletter_off"})
    assert "أوقفنا رسائل النشرة" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    assert client.get("/account/").status_code == 200  # still a member
    response = client.post("/account/", {"action": "newsletter_on"})
    assert "عادت رسائل النشرة" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    assert client.post("/account/", {"action": "<script>"}).status_code == 400


def test_sign_out(django_capture_on_commit_callbacks):
    client = _signed_in(django_capture_on_commit_callbacks)
    assert client.get("/account/signout/").status_code == 200  # a GET changes nothing
    assert client.get("/account/").status_code == 200
    response = client.post("/account/signout/")
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/signin/")


def test_delete_account_removes_the_personal_data(django_capture_on_commit_callbacks):
    client = _signed_in(django_capture_on_commit_callbacks)
    subscriber = Subscriber.objects.get()
    issue = Issue.objects.create(subject="عدد")
    Delivery.objects.create(issue=issue, subscriber=subscriber)
    Suppression.objects.create(email_key="old-bounce@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    from nashr.articles.tests.factories import build_site
    from nashr.comments.models import Comment

    article = build_site(articles_per_section=1, body_images=0)["articles"][0]
    mine = Comment.objects.create(
        article=article, author_name="سارة", author_email="Reader@Example.org", author_url="https://sara.example",
        body="تعليقي على المقال", status="approved", ip_hash="f" * 64, user_agent="Firefox", notify_replies=True)
    theirs = Comment.objects.create(article=article, author_name="ليلى", author_email="laila@example.org",
                                    body="تعليق آخر", status="approved")
    page = client.get("/account/delete/").content.decode()
    assert "تعليقاتك منشورة باسم «قارئ» دون بريدك" in page  # the reader is told before deleting
    assert client.post("/account/delete/", {}).status_code == 400  # the box was not ticked
    assert Subscriber.objects.exists()
    response = client.post("/account/delete/", {"confirm": "yes"})
    assert response.status_code == 200 and "حُذف حسابك" in response.content.decode()
    header = by_class(by_class(parse(response), "site-header")[0], "account-link", "a")[0]
    assert header.text_content() == "تسجيل الدخول"
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()
    assert not get_user_model().objects.filter(email="reader@example.org").exists()
    from nashr.members.models import Member

    assert not Member.objects.exists()
    assert Suppression.objects.count() == 1  # the newsletter's own list is not ours to empty
    assert client.get("/account/").status_code == 302
    # the member's comments stay in the thread, without anything personal
    mine.refresh_from_db()
    assert (mine.author_email, mine.author_name, mine.author_url, mine.ip_hash, mine.user_agent) == (
        "", "قارئ", "", "", "")
    assert mine.body == "تعليقي على المقال" and mine.notify_replies is False
    theirs.refresh_from_db()
    assert (theirs.author_email, theirs.author_name) == ("laila@example.org", "ليلى")


def test_member_user_is_not_an_editor(django_capture_on_commit_callbacks):
    client = _signed_in(django_capture_on_commit_callbacks)
    user = get_user_model().objects.get(email="reader@example.org")
    assert user.username.startswith("member-") and not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_header_link(django_capture_on_commit_callbacks):
    from nashr.site.demo.loader import site_ensure_home

    site_ensure_home(site_name="نشرة الاختبار")
    doc = parse(Client().get("/account/signin/"))
    assert by_class(by_class(doc, "site-header")[0], "account-link", "a")[0].text_content() == "تسجيل الدخول"
    client = _signed_in(django_capture_on_commit_callbacks)
    doc = parse(client.get("/account/"))
    link = by_class(by_class(doc, "site-header")[0], "account-link", "a")[0]
    assert link.text_content() == "حسابي" and link.get("href") == "/account/"


def test_two_simultaneous_posts_of_one_link_sign_in_once(django_capture_on_commit_callbacks, monkeypatch):
    """Both posts pass the token check before either signs in (the race);
    the conditional UPDATE of last_login lets only the first through."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from nashr.members import services

    _subscriber()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(Client(), "reader@example.org")
    token = _link(mail.outbox[0]).split("sesame=")[1].split("&")[0]
    checked = services.member_token_check(token=token)
    assert checked[0] == services.TokenState.VALID
    # each request holds the user as it was read before either signed in
    monkeypatch.setattr(services, "member_token_check", lambda token: (checked[0], copy.copy(checked[1])))
    results = []
    for _ in range(2):
        request = RequestFactory().post("/account/signin/link/")
        request.session = SessionStore()
        results.append(services.member_signin(request=request, token=token))
    assert results == [services.TokenState.VALID, services.TokenState.INVALID]
