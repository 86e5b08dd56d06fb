"""Reader comments in a real browser (Debian's Chromium).

A reader on a phone posts a comment under an article -> sees "awaiting
moderation" and not the comment -> an editor signs in to the Wagtail admin
on a desktop, finds it in the moderation queue and approves it -> the
reader sees it on the article, replies to it through the reply link (no
JavaScript needed: the link reloads with ?replyto) and, being known now,
sees the reply published at once, nested under the comment. The optional
script that moves the form under a comment is checked on its own. The
comment section and the queue are screenshotted; the section reads right
to left, has no serious accessibility issue, and no request leaves
127.0.0.1.
"""

from __future__ import annotations

import time

import pytest

from .test_reader_pages import assert_local_only

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
READER = {"name": "سارة العلي", "email": "sara.reader@example.org", "url": "https://sara.example/blog"}
FIRST = "مقال جميل عن المدينة. هل من صور أخرى؟ أرى التفاصيل على https://example.org/photos"
REPLY = "شكرًا على الرد، انتظر الصور بفارغ الصبر."
EDITOR = ("moderator", "a-long-editor-password-1")
@pytest.fixture
def site(transactional_db, settings, live_server):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from nashr.articles.models import ArticlePage
    from nashr.site.demo.loader import demo_create

    settings.SITE_URL = live_server.url
    settings.NASHR_COMMENTS_MIN_SECONDS = 1
    settings.NASHR_COMMENTS_NOTIFY_EDITORS = False
    cache.clear()  # rate-limit counters of other tests share this process's cache
    demo_create()
    get_user_model().objects.create_superuser(EDITOR[0], "moderator@example.org", EDITOR[1])
    article = ArticlePage.objects.live().order_by("-date_published").first()
    ArticlePage.objects.filter(pk=article.pk).update(comments_open=True)
    return {"base": live_server.url, "article": article}


@pytest.fixture
def contexts(browser):
    opened = []
    requests: list[str] = []

    def new_page(viewport):
        context = browser.new_context(viewport=viewport, locale="ar", reduced_motion="reduce")
        opened.append(context)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        return page

    new_page.requests = requests
    yield new_page
    for context in opened:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


def axe_section(page, axe_source, selector: str) -> list:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async (sel) => await axe.run(sel, {resultTypes: ['violations']})", selector)
    return [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]


def fill_form(page, *, body: str, with_identity: bool = True) -> None:
    form = page.locator("#respond form")
    if with_identity:
        form.get_by_label("الاسم").fill(READER["name"])
        form.get_by_label("البريد الإلكتروني").fill(READER["email"])
        form.get_by_label("الموقع").fill(READER["url"])
    form.get_by_label("التعليق").fill(body)
    time.sleep(1.1)  # NASHR_COMMENTS_MIN_SECONDS = 1: a person takes longer than that anyway


@pytest.mark.browser
def test_post_moderate_approve_and_reply(site, contexts, screenshot_dir, axe_source):
    from nashr.comments.models import Comment

    article_url = site["base"] + site["article"].url

    # 1. The reader posts on a phone and is told the comment awaits moderation
    reader = contexts(PHONE)
    reader.goto(article_url + "#comments", wait_until="networkidle")
    section = reader.locator("#comments")
    assert reader.evaluate("getComputedStyle(document.querySelector('#comments')).direction") == "rtl"
    assert "لن يُنشر بريدك الإلكتروني" in section.inner_text()
    fill_form(reader, body=FIRST)
    reader.locator("#respond button[type=submit]").click()
    reader.wait_for_load_state("networkidle")
    assert "comment=held" in reader.url
    notice = reader.locator("#respond [role=status]")
    assert "تعليقك بانتظار المراجعة" in notice.inner_text()
    assert FIRST not in section.inner_text()
    comment = Comment.objects.get()
    assert comment.status == "pending"

    # 2. The editor approves it from the moderation queue (desktop)
    editor = contexts(DESKTOP)
    editor.goto(site["base"] + "/admin/login/", wait_until="networkidle")
    editor.locator("#id_username").fill(EDITOR[0])
    editor.locator("#id_password").fill(EDITOR[1])
    editor.locator("form button[type=submit]").first.click()
    editor.wait_for_load_state("networkidle")
    editor.goto(site["base"] + "/admin/comments/", wait_until="networkidle")
    row = editor.locator(f"#queue-comment-{comment.pk}")
    assert "sara.reader@example.org" in row.inner_text(), "editors see the address"
    assert "بانتظار المراجعة (1)" in editor.locator(".cm-queue__tabs").inner_text()
    editor.screenshot(path=str(screenshot_dir / "comments-moderation-desktop.png"), full_page=False)
    row.get_by_role("button", name="انشر").click()
    editor.wait_for_load_state("networkidle")
    assert "نُشر التعليق" in editor.locator("body").inner_text()
    comment.refresh_from_db()
    assert comment.status == "approved"

    # 3. The reader sees it, with a link to the website (nofollow ugc) and no email
    reader.goto(article_url, wait_until="networkidle")
    item = reader.locator(f"#comment-{comment.pk}")
    assert FIRST.split("https")[0].strip() in item.inner_text()
    author_link = item.locator(".cm-author__link")
    assert author_link.get_attribute("href") == READER["url"]
    assert author_link.get_attribute("rel") == "nofollow ugc noopener"
    assert READER["email"] not in reader.content()
    # right to left: the avatar sits at the right of the name
    avatar = item.locator(".cm-avatar").bounding_box()
    name = item.locator(".cm__author").bounding_box()
    assert avatar["x"] > name["x"]

    # 4. ...and replies through the reply link: the page's script moves the
    # form under the comment (without JavaScript the link reloads the page
    # with ?replyto=, tested in nashr/comments/tests/test_pages.py)
    item.locator("a[data-reply-to]").first.click()
    assert reader.locator(f"#comment-{comment.pk} > #respond").count() == 1
    assert reader.locator("input[name=parent]").input_value() == str(comment.pk)
    assert "ردّ على" in reader.locator("#respond-title").inner_text()
    fill_form(reader, body=REPLY)
    reader.locator("#respond button[type=submit]").click()
    reader.wait_for_load_state("networkidle")
    reply = Comment.objects.exclude(pk=comment.pk).get()
    assert reply.status == "approved" and reply.parent_id == comment.pk, "known reader: published at once"
    assert reader.url.endswith(f"#comment-{reply.pk}")
    nested = reader.locator(f"#comment-{comment.pk} .cm-list--replies #comment-{reply.pk}")
    assert REPLY in nested.inner_text()
    assert axe_section(reader, axe_source, "#comments") == []

    # screenshots of the section: phone and desktop
    reader.locator("#comments").scroll_into_view_if_needed()
    reader.locator("#comments").screenshot(path=str(screenshot_dir / "comments-phone.png"))
    desktop = contexts(DESKTOP)
    desktop.goto(article_url + "#comments", wait_until="networkidle")
    desktop.locator("#comments").screenshot(path=str(screenshot_dir / "comments-desktop.png"))
    assert desktop.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_local_only(contexts.requests)


@pytest.mark.browser
def test_reply_script_moves_the_form_under_the_comment(site, contexts):
    from nashr.comments.models import Comment

    article = site["article"]
    comment = Comment.objects.create(article=article, author_name="ليلى", author_email="l@example.org",
                                     body="تعليق أول", status="approved")
    page = contexts(PHONE)
    page.goto(site["base"] + article.url, wait_until="networkidle")
    # the page itself loads the script (no injection): checked by its URL
    assert page.evaluate(
        "[...document.scripts].some(s => s.src.endsWith('/static/comments/comments.js'))")
    url_before = page.url
    page.locator(f"#comment-{comment.pk} a[data-reply-to]").click()
    assert page.url == url_before, "no reload with the script"
    moved = page.locator(f"#comment-{comment.pk} > #respond")
    assert moved.count() == 1
    assert page.locator("input[name=parent]").input_value() == str(comment.pk)
    assert "ردّ على ليلى" in page.locator("#respond-title").inner_text()
    assert page.evaluate("document.activeElement.id") == "cm-body"
    page.locator("[data-reply-cancel]").click()
    assert page.locator(f"#comment-{comment.pk} > #respond").count() == 0
    assert page.locator("input[name=parent]").input_value() == ""
