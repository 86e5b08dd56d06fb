"""Unsubscribing (page, button, RFC 8058 one-click), managing a
subscription, and subscribing again."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from nashr.newsletter.models import Subscriber, Suppression
from nashr.newsletter.tokens import (
    confirm_token_make, manage_url_for, unsubscribe_token_make, unsubscribe_url_for,
)

from .test_subscribe import NEUTRAL, SUBSCRIBE, confirm_link, newsletter_settings, post  # noqa: F401

# Confirmation and welcome emails are sent by background tasks; run them at
# once here so each test sees the email its request caused.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def member():
    return Subscriber.objects.create(
        email="Member@example.com", email_key="member@example.com", name="رنا",
        status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now(),
        confirmation_sent_at=timezone.now(),
    )


def path_of(url: str) -> str:
    assert url.startswith("https://news.example/")
    return url[len("https://news.example"):]


def test_unsubscribe_url_is_absolute_ascii_and_stable(member):
    url = unsubscribe_url_for(member)
    assert re.fullmatch(r"https://news\.example/newsletter/unsubscribe/\d+:[A-Za-z0-9_-]+/", url)
    assert url == unsubscribe_url_for(member)  # no time in it: never expires
    assert "member" not in url.lower()  # the address is not in the link
    assert manage_url_for(member).startswith("https://news.example/newsletter/manage/")


def test_get_shows_a_button_and_changes_nothing(client, member):
    response = client.get(path_of(unsubscribe_url_for(member)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ألغِ اشتراكي</button>" in html and 'method="post"' in html
    assert '<bdi dir="ltr" class="nl-address">Member@example.com</bdi>' in html
    assert '<meta name="robots" content="noindex">' in html
    assert client.head(path_of(unsubscribe_url_for(member))).status_code == 200
    member.refresh_from_db()
    assert member.status == Subscriber.Status.CONFIRMED and member.unsubscribed_at is None


def test_button_post_unsubscribes_without_a_csrf_cookie(member):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(path_of(unsubscribe_url_for(member)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "أُلغي اشتراكك" in html
    assert "/newsletter/manage/" in html  # the way back
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED
    assert member.unsubscribed_at is not None


def test_rfc8058_one_click_post_works_and_is_idempotent(member):
    provider = Client(enforce_csrf_checks=True)  # no cookies, no CSRF token
    url = path_of(unsubscribe_url_for(member))
    first = provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert first.status_code == 200
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED
    when = member.unsubscribed_at

    second = provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert second.status_code == 200
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED
    assert member.unsubscribed_at == when
    assert mail.outbox == []


def test_the_csrf_free_url_can_do_nothing_but_unsubscribe(member):
    Subscriber.objects.filter(pk=member.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    attacker = Client(enforce_csrf_checks=True)
    for body in ("action=resubscribe", "status=confirmed&email=evil@example.org", ONE_CLICK):
        response = attacker.post(path_of(unsubscribe_url_for(member)), body,
                                 content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
    member.refresh_from_db()
    assert (member.status, member.email, member.name) == (Subscriber.Status.UNSUBSCRIBED, "Member@example.com", "رنا")
    assert mail.outbox == []


def test_a_cleaned_address_stays_cleaned(member):
    Subscriber.objects.filter(pk=member.pk).update(status=Subscriber.Status.CLEANED)
    Client().post(path_of(unsubscribe_url_for(member)), ONE_CLICK, content_type="application/x-www-form-urlencoded")
    member.refresh_from_db()
    assert member.status == Subscriber.Status.CLEANED


def test_tampered_foreign_and_wrong_kind_tokens_are_refused(member):
    other = Subscriber.objects.create(email="o@example.com", email_key="o@example.com",
                                      status=Subscriber.Status.CONFIRMED)
    good = unsubscribe_token_make(subscriber_id=member.pk, email_key=member.email_key)
    sid, sig = good.split(":")
    bad_tokens = [
        f"{sid}:{sig[:-2]}xx",
        f"{other.pk}:{sig}",  # member's signature on another subscriber's id
        confirm_token_make(subscriber=member),  # a confirm token is not an unsubscribe token
        "0:abc", "x:y", f"{sid}",
    ]
    for bad in bad_tokens:
        response = Client().post(f"/newsletter/unsubscribe/{bad}/", ONE_CLICK,
                                 content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, bad
        assert "هذا الرابط غير صالح" in response.content.decode()
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Subscriber.Status.CONFIRMED}


def test_links_survive_a_secret_key_rotation(member, settings):
    url = path_of(unsubscribe_url_for(member))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert Client().post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code == 200
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED


def test_link_stops_working_when_the_id_belongs_to_another_address(member):
    url = path_of(unsubscribe_url_for(member))
    # the row is gone and SQLite handed the id to someone else
    Subscriber.objects.filter(pk=member.pk).update(email="new@example.com", email_key="new@example.com")
    assert Client().post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code == 400
    assert Subscriber.objects.get(pk=member.pk).status == Subscriber.Status.CONFIRMED


def test_resubscribe_through_the_form_goes_through_double_opt_in_again(member, client, post):
    client.post(path_of(unsubscribe_url_for(member)))
    response = post(SUBSCRIBE, {"email": "member@EXAMPLE.com"})
    assert NEUTRAL in response.content.decode()
    member.refresh_from_db()
    assert member.status == Subscriber.Status.PENDING
    # a confirmation goes out even though one was sent less than 24 h ago:
    # only the owner could have unsubscribed
    [confirmation] = mail.outbox
    assert confirmation.to == ["Member@example.com"]
    post(confirm_link(confirmation))
    member.refresh_from_db()
    assert member.status == Subscriber.Status.CONFIRMED
    assert len(mail.outbox) == 2  # and a welcome back

    # a second form post by a stranger sends nothing more
    post(SUBSCRIBE, {"email": "member@example.com"}, ip="192.0.2.200")
    assert len(mail.outbox) == 2


def test_manage_page_shows_address_and_status_and_unsubscribes_with_csrf(member):
    browser = Client(enforce_csrf_checks=True)
    url = path_of(manage_url_for(member))
    page = browser.get(url)
    html = page.content.decode()
    assert '<bdi dir="ltr" class="nl-address">Member@example.com</bdi>' in html
    assert "<dd>مشترك</dd>" in html
    assert 'name="action" value="unsubscribe"' in html

    assert browser.post(url, {"action": "unsubscribe"}).status_code == 403  # no token
    member.refresh_from_db()
    assert member.status == Subscriber.Status.CONFIRMED

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    done = browser.post(url, {"action": "unsubscribe", "csrfmiddlewaretoken": token})
    assert "أُلغي اشتراكك" in done.content.decode()
    assert "<dd>ألغى الاشتراك</dd>" in done.content.decode()
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED


def test_manage_page_resubscribe_sends_a_confirmation(member, client, django_capture_on_commit_callbacks):
    Subscriber.objects.filter(pk=member.pk).update(status=Subscriber.Status.UNSUBSCRIBED,
                                                   unsubscribed_at=timezone.now())
    url = path_of(manage_url_for(member))
    assert 'name="action" value="resubscribe"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "resubscribe"}, REMOTE_ADDR="192.0.2.5")
    html = response.content.decode()
    assert "فستصلك رسالة فيها رابط لتأكيده" in html
    assert "<dd>بانتظار التأكيد</dd>" in html
    member.refresh_from_db()
    assert member.status == Subscriber.Status.PENDING
    assert [m.to for m in mail.outbox] == [["Member@example.com"]]


def test_manage_page_for_a_suppressed_address_offers_no_resubscribe(member, client):
    Subscriber.objects.filter(pk=member.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    Suppression.objects.create(email_key=member.email_key, reason=Suppression.Reason.COMPLAINT)
    html = client.get(path_of(manage_url_for(member))).content.decode()
    assert "موقوف" in html
    assert 'value="resubscribe"' not in html
    client.post(path_of(manage_url_for(member)), {"action": "resubscribe"})
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED
    assert mail.outbox == []


def test_links_made_with_the_cached_key_are_django_signer_tokens(member, settings):
    """The per-recipient links derive the HMAC key once; the tokens must stay
    exactly ``Signer.sign``'s, also after ``SECRET_KEY`` changes, so links in
    emails already sent keep working."""
    from django.core import signing

    from nashr.newsletter import tokens

    for key in (settings.SECRET_KEY, "a-brand-new-secret-key-" + "y" * 40):
        settings.SECRET_KEY = key
        for salt, make in ((tokens._SALT_UNSUBSCRIBE, tokens.unsubscribe_token_make),
                           (tokens._SALT_MANAGE, tokens.manage_token_make)):
            expected = tokens._make(signing.Signer(salt=salt), member.pk, member.email_key)
            assert make(subscriber_id=member.pk, email_key=member.email_key) == expected
        assert tokens.unsubscribe_token_check(
            token=tokens.unsubscribe_token_make(subscriber_id=member.pk, email_key=member.email_key)) == member
