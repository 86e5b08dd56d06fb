"""Who gets the invitation dialog (rendered closed; nashr.js opens it)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from nashr.articles.tests.factories import build_site
from nashr.members.tests.html import by_id, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.NASHR_INVITE_ENABLED = True
    settings.NASHR_INVITE_SCROLL_PERCENT = 60
    settings.NASHR_INVITE_DISMISS_DAYS = 9
    return build_site(articles_per_section=1, body_images=0)


def _dialog(client, url):
    return by_id(parse(client.get(url)), "invite")


def test_anonymous_reader_of_a_free_article_gets_it_closed_with_the_settings(site, settings):
    settings.NASHR_SITE_NAME = "صحيفة الحي"
    (dialog,) = _dialog(Client(), site["articles"][0].url)
    assert dialog.tag == "dialog" and dialog.get("open") is None
    assert dialog.get("data-invite-scroll") == "60" and dialog.get("data-invite-days") == "9"
    assert by_id(dialog, "invite-title")[0].text_content() == "اكتشف المزيد من صحيفة الحي"
    assert by_id(dialog, "invite-nl-email")
    assert "تابع القراءة" in dialog.text_content()


def test_not_on_other_pages_not_when_turned_off(site, settings):
    assert not _dialog(Client(), "/")
    settings.NASHR_INVITE_ENABLED = False
    assert not _dialog(Client(), site["articles"][0].url)


def test_not_for_members_nor_editors(site):
    from nashr.members.services import member_ensure
    from nashr.newsletter.models import Subscriber

    subscriber = Subscriber.objects.create(email="m@example.org", email_key="m@example.org",
                                           status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    member = member_ensure(subscriber=subscriber)
    client = Client()
    client.force_login(member.user, backend="nashr.members.backends.MemberTokenBackend")
    assert not _dialog(client, site["articles"][0].url)
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "x-pass-123456")
    client = Client()
    client.force_login(editor)
    assert not _dialog(client, site["articles"][0].url)


def test_not_on_gated_articles(site):
    from nashr.articles.models import ArticlePage

    article = site["articles"][0]
    ArticlePage.objects.filter(pk=article.pk).update(access="members")
    assert not _dialog(Client(), article.url)
