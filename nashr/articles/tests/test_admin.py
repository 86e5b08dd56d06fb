"""The editors' side: Arabic right-to-left admin, drafting and scheduling."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from nashr.articles.models import ArticlePage

from .factories import build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("ed", "ed@example.org", "pass-1234-word")
    client.force_login(user)
    return client


def test_admin_is_arabic_and_right_to_left(editor_client):
    build_site(articles_per_section=1)
    html = editor_client.get("/admin/").content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "لوحة" in html or "الصفحات" in html


def test_article_editor_page_opens(editor_client):
    site = build_site(articles_per_section=1)
    article = site["articles"][0]
    response = editor_client.get(f"/admin/pages/{article.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "المقدّمة (الخلاصة)" in html and "الصورة الرئيسية" in html


def test_scheduled_article_goes_live_when_its_time_comes(client):
    from wagtail.models import Revision

    site = build_site(articles_per_section=1)
    section = site["sections"][0]
    article = ArticlePage(title="مقال مجدول", standfirst="ينشر لاحقًا", live=False,
                          go_live_at=timezone.now() + timedelta(seconds=2))
    section.add_child(instance=article)
    revision = article.save_revision()
    revision.publish()
    article.refresh_from_db()
    assert not article.live
    assert client.get(section.url + article.slug + "/").status_code == 404
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is not None
    time.sleep(2.5)  # let the scheduled time pass
    call_command("publish_scheduled", verbosity=0)
    article.refresh_from_db()
    assert article.live and article.date_published is not None
    assert client.get(article.url).status_code == 200


def test_preview_of_a_new_and_an_edited_article(editor_client):
    """Editors preview through Wagtail's preview path: a page not saved yet
    (only a realistic tree path) and unsaved edits of a live article."""
    from nashr.articles.models import ArticleAuthor, Author

    site = build_site(articles_per_section=1)
    section = site["sections"][0]
    author = Author.objects.first()
    new = ArticlePage(title="مسودة لم تحفظ", standfirst="معاينة أولى")
    new.depth = section.depth + 1
    new.path = section._get_path(section.path, new.depth, section.numchild + 1)
    new.authors.add(ArticleAuthor(author=author))
    response = new.make_preview_request()
    assert response.status_code == 200
    html = response.content.decode()
    assert "مسودة لم تحفظ" in html and author.name in html

    live = site["articles"][0]
    live.title = "عنوان معدّل قبل الحفظ"
    response = live.make_preview_request()
    assert "عنوان معدّل قبل الحفظ" in response.content.decode()
