"""Regression tests for defects found by trying to break reader comments:
each test is a way a reader or an attacker got a 500, a blank comment, or
a moderated-away thread back in public."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import html as lxml_html

from nashr.comments.models import Comment

from .conftest import post_data

pytestmark = pytest.mark.django_db


def page(response):
    return lxml_html.fromstring(response.content.decode())


def test_website_with_an_unclosed_ipv6_bracket_is_dropped_not_a_500(reader, article):
    """``http://[::1`` in the website field made ``urlsplit`` raise: HTTP 500
    on posting (and on every render of an imported row holding it)."""
    response = Client(raise_request_exception=False, REMOTE_ADDR="198.51.100.23").post(
        "/comments/post/", post_data(article, author_url="http://[::1"))
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.author_url == ""  # not an http(s) address a browser can open: not kept


def test_url_like_text_with_a_broken_ipv6_host_does_not_take_the_page_down(reader, article, approved):
    """A comment body with ``http://[::1`` or ``http://[oops]`` (linked by the
    auto-linker) made every render of the article page, the comment feeds
    and the moderation queue fail with HTTP 500: one comment took the
    article down for everyone."""
    approved(body="تعليق سابق")
    body = "انظر http://[::1 و http://[oops]/x هنا"
    response = reader.post("/comments/post/", post_data(article, body=body))
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.APPROVED and response.status_code == 303
    client = Client(raise_request_exception=False)
    shown = client.get(article.url)
    assert shown.status_code == 200
    text = page(shown).xpath(f'//li[@id="comment-{comment.pk}"]')[0].text_content()
    assert "http://[::1" in text and "http://[oops]/x" in text
    assert not page(shown).xpath(f'//li[@id="comment-{comment.pk}"]//a[contains(@href, "[")]')
    for url in ("/comments/feed/", f"/comments/feed/{article.pk}/"):
        feed = client.get(url)
        assert feed.status_code == 200 and "http://[oops]/x" in feed.content.decode(), url


@pytest.mark.parametrize("body", ["\u202e\u202c", "\u200b\u200b\u200b", "\u2066 \u2069\n\u200f\u200e", "\u00a0\u3000"])
def test_a_comment_of_invisible_characters_only_is_refused_in_arabic(reader, article, approved, body):
    """Bidi controls, zero-width spaces or marks alone passed ``strip()``: a
    known author's post was published as an empty comment box."""
    approved(body="تعليق سابق")
    before = Comment.objects.count()
    response = reader.post("/comments/post/", post_data(article, body=body))
    assert response.status_code == 400
    error = page(response).xpath('//*[@id="cm-body-error"]')[0].text_content()
    assert error == "اكتب تعليقك."
    assert Comment.objects.count() == before


def test_trashing_a_comment_takes_its_replies_off_cards_and_feeds_too(reader, article, approved):
    """The page hides the approved replies of a trashed (or spam, or held)
    comment, but the comment feeds kept publishing them and the cards kept
    counting them."""
    from nashr.comments.selectors import comment_counts
    from nashr.comments.services import comment_hold, comment_spam, comment_trash

    top = approved(body="تعليق سيُحذف لاحقًا")
    reply = approved(body="ردّ على تعليق محذوف RPLY77", parent_id=top.pk, author_email="r@example.org")
    deeper = approved(body="ردّ أعمق DEEP88", parent_id=reply.pk, author_email="d@example.org")
    assert deeper.parent_id == reply.pk
    other = approved(body="تعليق باقٍ KEEP99", author_email="k@example.org")
    assert comment_counts(article_ids=[article.pk]) == {article.pk: 4}
    for hide in (comment_trash, comment_spam, comment_hold):
        hide(comment=top)
        assert comment_counts(article_ids=[article.pk]) == {article.pk: 1}, hide.__name__
        for url in ("/comments/feed/", f"/comments/feed/{article.pk}/"):
            feed = Client().get(url).content.decode()
            assert "RPLY77" not in feed and "DEEP88" not in feed, (hide.__name__, url)
            assert "KEEP99" in feed
        html = Client().get(article.url).content.decode()
        assert "RPLY77" not in html and "KEEP99" in html
    from nashr.comments.services import comment_approve

    comment_approve(comment=top)
    assert comment_counts(article_ids=[article.pk]) == {article.pk: 4}
    assert "DEEP88" in Client().get("/comments/feed/").content.decode()
    assert other.pk


@pytest.mark.parametrize("term, client_address", [
    ("2001:db8:1::/48", "2001:db8:1:0:5::7"),   # a network
    ("2001:db8:2::9", "2001:db8:2::9"),         # the very address
    ("2001:db8:3::9", "2001:db8:3::1234"),      # another address of the same /64 (one reader)
])
def test_ipv6_blocklist_entries_match_ipv6_readers(article, settings, term, client_address):
    """IPv6 clients are bucketed by their /64 (``client_ip`` returns
    ``2001:db8::/64``), which ``ip_address()`` refused: no IPv6 address or
    network on the blocklist ever matched, in the settings or the admin."""
    from nashr.comments.models import BlockedTerm

    settings.NASHR_COMMENTS_BLOCKLIST = []
    BlockedTerm.objects.create(term=term)
    response = Client(REMOTE_ADDR=client_address).post("/comments/post/", post_data(article))
    assert response.status_code == 303  # answered like a held comment: a spammer learns nothing
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM and comment.guard_reason == "blocklist"


def test_ipv6_blocklist_leaves_other_networks_alone(article):
    from nashr.comments.models import BlockedTerm

    BlockedTerm.objects.create(term="2001:db8:1::/48")
    BlockedTerm.objects.create(term="203.0.113.0/24")
    Client(REMOTE_ADDR="2001:db8:99::7").post("/comments/post/", post_data(article))
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_the_reply_notification_form_cannot_mail_someone_without_limit(article, site, smtp, tasks_now,
                                                                        django_capture_on_commit_callbacks):
    """Ticking «أعلمني بالبريد بالردود» with someone else's address sent
    that person a confirmation email for every comment: rotating client
    addresses and articles, a few a minute, all day."""
    victim = "victim@example.org"
    articles = site["articles"]
    for n in range(5):  # NASHR_COMMENTS_LIMIT_PER_EMAIL
        target = articles[n % len(articles)]
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post("/comments/post/", post_data(
                target, author_email=victim, body=f"تعليق رقم {n} للإزعاج", notify_replies="1"))
        assert response.status_code == 303
    assert Comment.objects.filter(author_email=victim, notify_replies=True).count() == 5
    mails = smtp.handler.parsed()
    assert 1 <= len(mails) <= 3
    assert all(m["To"] == victim for m in mails)


def test_bulk_action_with_a_forged_huge_id_is_no_500(editor_client, submit):
    """``ids=99999999999999999999999`` (more than 64 bits) in the queue's
    bulk form made SQLite raise OverflowError: HTTP 500 in the admin."""
    pending = submit(body="تعليق ينتظر")
    editor_client.raise_request_exception = False
    response = editor_client.post("/admin/comments/", {
        "action": "approve", "ids": ["99999999999999999999999", str(pending.pk)], "status": "pending"})
    assert response.status_code == 302 and response["Location"].endswith("?status=pending")
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED
    messages = [str(m) for m in editor_client.get(response["Location"]).context["messages"]]
    assert "نُشر: 1" in messages


def _chromium():
    import os
    import shutil

    if not (os.path.exists("/usr/bin/chromium") or shutil.which("chromium")):
        if os.environ.get("NASHR_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found (NASHR_REQUIRE_BROWSER=1)")
        pytest.skip("Chromium not found")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.mark.browser
def test_a_long_name_without_spaces_does_not_widen_the_phone_page(article, approved):
    """«ردّ على <name>» above the form: a 100-letter name with no space in
    it made the heading 575 px wide on a 390 px phone — the whole page
    scrolled sideways, with the form half off the screen."""
    from pathlib import Path

    sync_playwright = _chromium()
    comment = approved(author_name="ب" * 100, body="تعليق " + "ا" * 600 + " https://example.org/" + "x" * 500)
    html = Client().get(f"{article.url}?replyto={comment.pk}").content.decode()
    assert "ردّ على" in html
    css = Path(__file__).resolve().parents[2] / "site" / "static" / "nashr" / "nashr.css"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.route("**/*", lambda route: route.abort())  # nothing from the network
            page.set_content(html)
            page.add_style_tag(content=css.read_text())
            widths = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
            title = page.locator("#respond-title").bounding_box()
        finally:
            browser.close()
    assert widths[1] <= widths[0], f"the page is {widths[1]}px wide on a {widths[0]}px screen"
    assert 0 <= title["x"] and title["x"] + title["width"] <= 390


def test_a_double_click_stores_one_comment(article, monkeypatch):
    """Two identical posts at once (a double click) both passed the guard's
    duplicate check before either was stored: the comment appeared twice.
    Here the second click arrives while the first is between the guard and
    the insert."""
    from nashr.comments import guard

    data = post_data(article, body="تعليق أُرسل بنقرتين")
    real = guard.comment_guard
    second = []

    def racing(*, submission, now=None):
        verdict = real(submission=submission, now=now)
        if not second:
            second.append(None)
            second[0] = Client(REMOTE_ADDR="198.51.100.23").post("/comments/post/", data)
        return verdict

    monkeypatch.setattr(guard, "comment_guard", racing)
    first = Client(REMOTE_ADDR="198.51.100.23").post("/comments/post/", data)
    assert second[0].status_code == 303  # the click that got there first is stored
    assert Comment.objects.filter(body="تعليق أُرسل بنقرتين").count() == 1
    assert first.status_code == 400
    assert "يبدو أنك أرسلت هذا التعليق نفسه من قبل." in first.content.decode()


@pytest.mark.parametrize("status", [Comment.Status.SPAM, Comment.Status.TRASH])
def test_an_editor_cannot_publish_a_detached_reply_to_a_spam_or_trashed_comment(editor_client, submit, article,
                                                                                  status):
    """«ردّ» was offered in the spam and trash tabs too; the reply was
    published at once as a top-level comment under the editor's name,
    answering a comment nobody can see."""
    comment = submit(body="تعليق مخفي", author_email="hidden@example.org")
    Comment.objects.filter(pk=comment.pk).update(status=status)
    queue = editor_client.get(f"/admin/comments/?status={status}").content.decode()
    assert f"/admin/comments/{comment.pk}/edit/" in queue
    assert f"/admin/comments/{comment.pk}/reply/" not in queue
    response = editor_client.post(f"/admin/comments/{comment.pk}/reply/", {"body": "ردّ المحرّر"})
    assert response.status_code == 400
    assert "لا يمكن الرد على تعليق مزعج أو في المهملات" in response.content.decode()
    assert not Comment.objects.filter(body="ردّ المحرّر").exists()
    assert "ردّ المحرّر" not in Client().get(article.url).content.decode()


@pytest.mark.parametrize("name", ["\u200b", "\u202e\u202c", "\u2067\u2069\u200f"])
def test_a_name_of_invisible_characters_only_is_refused_in_arabic(reader, article, name):
    """A zero-width space or bidi controls alone passed as a name: the
    comment was signed with nothing visible."""
    response = reader.post("/comments/post/", post_data(article, author_name=name))
    assert response.status_code == 400
    assert page(response).xpath('//*[@id="cm-name-error"]')[0].text_content() == "اكتب اسمك."
    assert not Comment.objects.exists()
