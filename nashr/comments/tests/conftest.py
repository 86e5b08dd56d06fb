"""Fixtures for comment tests: a small publication, a reader's post with a
valid form token, editors, tasks run at once, and a real SMTP server."""

from __future__ import annotations

import time

import pytest

READER = {"author_name": "سارة العلي", "author_email": "sara.reader@example.org", "author_url": "",
          "body": "مقال مفيد، شكرًا."}
CLIENT_IP = "198.51.100.23"


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.NASHR_COMMENTS_MIN_SECONDS = 2
    settings.NASHR_COMMENTS_NOTIFY_EDITORS = False
    settings.NASHR_COMMENTS_BLOCKLIST = []
    settings.NASHR_COMMENTS_SPAM_CHECKER = "nashr.comments.guard.NoopChecker"
    settings.NASHR_COMMENTS_CLOSE_AFTER_DAYS = 0
    settings.NASHR_COMMENTS_MAX_DEPTH = 3
    settings.NASHR_COMMENTS_ORDER = "oldest"
    settings.NASHR_COMMENTS_APPROVE_KNOWN = True


@pytest.fixture
def site(db):
    from nashr.articles.tests.factories import build_site

    return build_site(articles_per_section=2, body_images=0, tags_per_article=1)


@pytest.fixture
def article(site):
    return site["articles"][0]


def old_token(article_id: int, seconds: float = 30) -> str:
    """A form token made ``seconds`` ago: passes the minimum-time check."""
    from nashr.comments.guard import form_token_make

    return form_token_make(article_id=article_id, now=time.time() - seconds)


def post_data(article, **overrides) -> dict:
    data = {**READER, "article": str(article.pk), "token": old_token(article.pk), "parent": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def reader(client):
    """The test client posting from a fixed public address."""
    client.defaults["REMOTE_ADDR"] = CLIENT_IP
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (test reader)"
    return client


@pytest.fixture
def submit(article):
    """``submit(**fields)`` -> Comment, through the service (guard included)."""
    from nashr.comments.services import comment_submit

    def _submit(target=None, **fields):
        target = target or article
        values = {**READER, "client_ip": CLIENT_IP, "form_token": old_token(target.pk)}
        values.update(fields)
        return comment_submit(article=target, **values)

    return _submit


@pytest.fixture
def approved(submit):
    """``approved(**fields)`` -> an approved comment."""
    from nashr.comments.services import comment_approve

    def _approved(**fields):
        comment = submit(**fields)
        comment_approve(comment=comment)
        comment.refresh_from_db()
        return comment

    return _approved


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "pass-1234-word",
                                                      first_name="ليلى", last_name="المحرّرة")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def tasks_now(immediate_tasks):
    """Background tasks run at once (the root conftest's ``immediate_tasks``)."""
    yield
