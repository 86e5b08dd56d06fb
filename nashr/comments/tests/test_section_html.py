"""The comment section built in Python (nashr.comments.section_html) gives,
byte for byte, what its templates (comments/includes/article_comments.html,
comment.html, form.html) render, in every state a reader meets: no comment
yet, a thread with replies and an editor's answer, a reply chosen, a comment
held, comments closed by hand or by age, a form sent back with its errors,
and no article at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, engines
from django.test import RequestFactory
from django.utils import timezone

from nashr.articles.models import ArticlePage
from nashr.comments.forms import CommentForm, InitialCommentForm
from nashr.comments.templatetags.nashr_comments import article_comments, comments_section

from .conftest import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_fragment_cache(settings):
    settings.NASHR_FRAGMENT_CACHE_SECONDS = 0


def _context(article, *, query: str = "", form=None) -> Context:
    request = RequestFactory().get(f"/{article.pk if article else 0}/" + query)
    if form is not None:
        request._nashr_comment_form = form
    return Context({"page": article, "request": request}, autoescape=True)


def _both(article, **kwargs) -> tuple[str, str]:
    """(what the page shows, what the template renders) for the same
    section values (the template is handed them, as its tag reads no more
    once they are on the request)."""
    context = _context(article, **kwargs)
    request = context["request"]
    cm = comments_section(context)
    request._nashr_comments_section = cm
    template = engines["django"].engine.get_template("comments/includes/article_comments.html")
    reference = template.render(context)
    del request._nashr_comments_section
    # the template made the unbound form; the page never does
    if isinstance(cm.get("form"), InitialCommentForm):
        cm["form"]._form = None
    request._nashr_comments_section = cm
    shown = str(article_comments(context))
    return shown, reference


def test_no_comment_yet(article):
    shown, reference = _both(article)
    assert shown == reference
    assert 'name="token" value="' in shown and 'class="cm-empty"' in shown


def test_thread_with_replies_editor_and_hostile_text(article, approved, editor, settings):
    settings.NASHR_COMMENTS_MAX_DEPTH = 2
    top = approved(author_name="Sara <b>", author_url="https://example.org/a?b=1&c=2",
                   body="<script>alert(1)</script>\n\nانظر https://example.org/x.")
    reply = approved(body="رد عليه", parent_id=top.pk, author_email="r@example.org", author_name="ريم")
    approved(body="رد على الرد", parent_id=reply.pk, author_email="q@example.org")
    type(top).objects.filter(pk=reply.pk).update(user=editor)
    approved(body="تعليق ثان", author_email="z@example.org", author_name="زيد")
    shown, reference = _both(article)
    assert shown == reference
    assert shown.count('class="cm-item"') == 4 and shown.count("cm--editor") == 1
    assert "&lt;<bdi dir=\"ltr\">script</bdi>&gt;" in shown and f"?replyto={top.pk}#respond" in shown


def test_reply_chosen_and_comment_held(article, approved):
    top = approved(author_name="هند \u202eX", body="سؤال")
    shown, reference = _both(article, query=f"?replyto={top.pk}&comment=held")
    assert shown == reference
    assert "ردّ على <bdi>" in shown and 'class="cm-notice"' in shown
    assert f'name="parent" value="{top.pk}"' in shown


def test_comments_closed_by_hand_and_by_age(article, approved, settings):
    approved(body="قبل الإغلاق")
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=False)
    shown, reference = _both(ArticlePage.objects.get(pk=article.pk))
    assert shown == reference and "التعليقات مغلقة" in shown and "<form" not in shown

    ArticlePage.objects.filter(pk=article.pk).update(
        comments_open=True, date_published=timezone.now() - timedelta(days=30))
    settings.NASHR_COMMENTS_CLOSE_AFTER_DAYS = 7
    shown, reference = _both(ArticlePage.objects.get(pk=article.pk))
    assert shown == reference and "أُغلق باب التعليق" in shown


def test_form_sent_back_with_its_errors_keeps_what_was_typed(article):
    form = CommentForm(data=post_data(article, author_name="", author_email="not-an-email",
                                      author_url="x" * 300, body="", notify_replies="1", parent="5"))
    assert not form.is_valid()
    form.add_error(None, "تعذّر قبول التعليق <الآن>.")
    shown, reference = _both(article, form=form)
    assert shown == reference
    assert 'aria-invalid="true"' in shown and "cm-form__errors" in shown and " checked" in shown
    assert 'value="not-an-email"' in shown


def test_valid_bound_form_without_errors(article):
    form = CommentForm(data=post_data(article, author_url="https://example.org/"))
    shown, reference = _both(article, form=form)
    assert shown == reference and 'value="https://example.org/"' in shown


def test_no_article_gives_an_empty_line():
    context = Context({"page": None, "request": RequestFactory().get("/")}, autoescape=True)
    template = engines["django"].engine.get_template("comments/includes/article_comments.html")
    assert str(article_comments(context)) == template.render(context) == "\n"


def test_initial_form_answers_as_the_form_it_stands_for(article):
    initial = {"article": article.pk, "parent": None, "token": "t:1"}
    light, form = InitialCommentForm(initial=initial), CommentForm(initial=initial)
    assert not light.is_bound and light.initial is initial
    assert light["token"].value() == form["token"].value() == "t:1"
    assert light.non_field_errors() == form.non_field_errors() == []
    assert [f.name for f in light] == [f.name for f in form]
