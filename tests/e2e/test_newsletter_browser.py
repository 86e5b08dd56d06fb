"""A reader's whole newsletter life in a real browser, over real SMTP.

Subscribe in the box after an article (phone, Arabic) -> "check your inbox"
-> the confirmation email arrives at an aiosmtpd server on 127.0.0.1 -> its
link opens a page with a button (the GET changes nothing) -> confirmed, a
welcome email arrives -> an editor publishes an article with "send to
subscribers" and the real task worker (``db_worker --batch``) sends it -> the
issue email is right to left with RFC 8058 headers and is shown in the
browser at 390 and 600 px -> a mail provider's one-click unsubscribe POST
(no cookie, no CSRF token) unsubscribes, idempotently -> the next article
does not reach that address. No request from the browser leaves 127.0.0.1.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import logging
import quopri
import re
import signal
import time
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.utils import timezone

from .test_reader_pages import assert_local_only, axe_violations

PHONE = {"width": 390, "height": 844}
READER_EMAIL = "sara.reader@example.org"
READER_NAME = "سارة العلي"
CONTROL_EMAIL = "control.reader@example.org"
ONE_CLICK = "List-Unsubscribe=One-Click"
FIRST_TITLE = "افتتاح مكتبة الحيّ بعد ترميمها"
SECOND_TITLE = "مهرجان الخط العربي يعود إلى الإسكندرية"

# what the worker runs for one issue (NASHR_NEWSLETTER_SENDERS = 1, the default)
NEWSLETTER_TASKS_RAN = [("issue_send_task", "SUCCESSFUL"), ("issue_start_task", "SUCCESSFUL")]

ENCODED_WORD = re.compile(r"=\?([^?]+)\?([bBqQ])\?([^?]*)\?=")
ANGLE_URIS = re.compile(r"<([^>]+)>")


# --- fixtures and helpers ------------------------------------------------------

@pytest.fixture
def site(transactional_db, settings, live_server, smtp):
    # a flushed database each time: the loader recreates root, locale, collection
    from django.core.cache import cache

    from nashr.articles.models import ArticlePage
    from nashr.newsletter.models import Subscriber
    from nashr.site.demo.loader import demo_create

    settings.SITE_URL = live_server.url
    settings.NASHR_NEWSLETTER_SENDERS = 1  # one send task per issue
    # the rate-limit counters live in the process-wide local-memory cache;
    # another test's sign-ups from 127.0.0.1 must not count against this one
    cache.clear()
    demo_create()
    article = (
        ArticlePage.objects.live().filter(body__icontains='"type": "image"').order_by("-date_published").first()
        or ArticlePage.objects.live().first()
    )
    # A second, already confirmed reader: proves every issue really went
    # out, so "nothing arrived for the unsubscribed reader" means something.
    Subscriber.objects.create(email=CONTROL_EMAIL, email_key=CONTROL_EMAIL, name="قارئ آخر",
                              status=Subscriber.Status.CONFIRMED)
    return {"base": live_server.url, "article": article}


@pytest.fixture
def open_page(browser):
    """``open_page(viewport)`` -> ``(context, page)`` in a new context (Arabic
    locale); every request of every such page is added to
    ``open_page.requests``. Contexts still open are closed at teardown, so a
    failing test leaves no keep-alive connection to the live server behind."""
    contexts = []

    def new_page(viewport=PHONE, **options):
        context = browser.new_context(viewport=viewport, locale="ar", reduced_motion="reduce", **options)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda r: new_page.requests.append(r.url))
        return context, page

    new_page.requests = []
    yield new_page
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


def html_dir(page) -> str:
    return page.evaluate("document.documentElement.getAttribute('dir')")


def wait_for_mail(server, to: str, count: int, timeout: float = 15.0) -> list[email.message.EmailMessage]:
    """The parsed messages for ``to`` once at least ``count`` have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        mails = mail_for(server, to)
        if len(mails) >= count or time.monotonic() > deadline:
            assert len(mails) >= count, f"{len(mails)} message(s) for {to}, expected {count}"
            return mails
        time.sleep(0.05)


def mail_for(server, to: str) -> list[email.message.EmailMessage]:
    with server.handler.lock:
        raw = [data for _, rcpts, data in server.handler.messages if to in rcpts]
    return [email.message_from_bytes(data, policy=email.policy.default) for data in raw]


def raw_header(message: email.message.EmailMessage, name: str) -> str:
    """The header as it was on the wire (folded lines joined), not decoded."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return re.sub(r"\r?\n[ \t]", " ", value)
    raise AssertionError(f"no {name} header")


def assert_encoded_words_stand_alone(value: str) -> None:
    """Non-ASCII text is in RFC 2047 encoded-words, each valid UTF-8 on its
    own (RFC 2047 §5: a character must not be split between words)."""
    assert value.isascii(), value
    words = ENCODED_WORD.findall(value)
    assert words, f"no encoded-word in {value!r}"
    for charset, encoding, text in words:
        assert charset.lower() == "utf-8", charset
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii"), header=True)
        data.decode("utf-8")  # strict: raises if a character was split


def body_text(message, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()


def list_unsubscribe_uris(message) -> tuple[str, str]:
    uris = ANGLE_URIS.findall(str(message["List-Unsubscribe"]))
    https = [u for u in uris if urlsplit(u).scheme in ("http", "https")]
    mailto = [u for u in uris if u.startswith("mailto:")]
    assert len(https) == 1 and len(mailto) == 1, uris
    return https[0], mailto[0]


def run_task_worker() -> list[tuple[str, str]]:
    """Run the real database task worker in this process until its queue is
    empty, as ``nashr db_worker --batch`` would; the signal handlers, log
    levels and log handlers it installs are put back afterwards, so pytest
    keeps its own.

    Returns ``[(task name, status)]`` of the newsletter tasks it ran, sorted;
    fails the test if any task (Wagtail's too) failed or is left due."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    started = timezone.now()

    signals = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s]
    saved_signals = {s: signal.getsignal(s) for s in signals}
    loggers = [logging.getLogger(n) for n in ("django_tasks_db", "django_tasks", "django.tasks")]
    saved_logging = {lg: (lg.level, lg.handlers[:]) for lg in loggers}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*",
                     verbosity=0, stdout=io.StringIO())
    finally:
        for s, handler in saved_signals.items():
            signal.signal(s, handler)
        for lg, (level, handlers) in saved_logging.items():
            lg.setLevel(level)
            lg.handlers[:] = handlers
    ran = DBTaskResult.objects.filter(finished_at__gte=started, task_path__contains=".newsletter.")
    failed = [(r.task_path, r.traceback[-1500:]) for r in DBTaskResult.objects.filter(status="FAILED")]
    assert failed == [], failed
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], run_after__lte=timezone.now()).exists()
    return sorted((r.task_path.rsplit(".", 1)[-1], r.status) for r in ran)


def publish_article(*, title: str, like):
    """An editor's publish with "send to subscribers" ticked, in the section
    of ``like`` with its lead image."""
    from nashr.articles.models import ArticlePage

    article = ArticlePage(
        title=title,
        standfirst="عادت المكتبة تستقبل القرّاء بعد عامين من الترميم، بقاعة للأطفال ورفوف جديدة.",
        lead_image=like.lead_image,
        body=[
            {"type": "paragraph", "value": "<p>فتحت المكتبة أبوابها صباح اليوم، وتوافد عليها سكان الحيّ "
                                           "منذ الساعة الثامنة. وتضم القاعة الجديدة أجهزة Wi-Fi مجانية.</p>"},
            {"type": "subheading", "value": "قاعة للأطفال"},
            {"type": "paragraph", "value": "<p>خُصّص الطابق الأول للأطفال، مع ركن للقراءة بصوت عالٍ كل يوم جمعة.</p>"},
        ],
        send_to_subscribers=True,
    )
    like.get_parent().add_child(instance=article)
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


# --- the test -----------------------------------------------------------------------

@pytest.mark.browser
def test_subscribe_confirm_receive_and_one_click_unsubscribe(site, smtp, open_page, screenshot_dir, axe_source):
    from nashr.newsletter.models import Delivery, Issue, Subscriber
    from nashr.newsletter.subscriptions import newsletter_name

    base = site["base"]
    article = site["article"]

    # 1. Subscribe in the box after the article, on a phone.
    context, page = open_page()
    response = page.goto(base + article.url, wait_until="networkidle")
    assert response.status == 200
    box = page.locator("section.nl-box", has=page.locator("#article-nl-email"))
    box.scroll_into_view_if_needed()
    assert box.locator("#article-nl-title").inner_text().startswith("اشترك في")
    page.fill("#article-nl-email", READER_EMAIL)
    page.fill("#article-nl-name", READER_NAME)
    with page.expect_navigation(wait_until="networkidle"):
        box.locator("button[type=submit]").click()
    assert page.url == base + "/newsletter/subscribe/"
    assert html_dir(page) == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('.nl-message')).direction") == "rtl"
    assert page.locator("h1.nl-message__title").inner_text().strip() == "تحقّق من بريدك"
    message_text = page.locator(".nl-message").inner_text()
    assert "ستصلك خلال دقائق رسالة منّا فيها رابط لتأكيد الاشتراك" in message_text
    assert "لن نرسل إليك أي نشرة قبل أن تؤكّد" in message_text
    assert page.locator("bdi.nl-address").inner_text() == READER_EMAIL
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scroll"
    page.screenshot(path=str(screenshot_dir / "newsletter-1-check-inbox-phone.png"))
    assert axe_violations(page, axe_source) == []
    reader = Subscriber.objects.get(email_key=READER_EMAIL)
    assert reader.status == Subscriber.Status.PENDING
    assert reader.name == READER_NAME and reader.source == "article"
    # The request only queued the confirmation email; the task worker sends it.
    assert mail_for(smtp, READER_EMAIL) == []
    assert run_task_worker() == [("confirmation_send_task", "SUCCESSFUL")]

    # 2. The confirmation email, its link, the button, the welcome email.
    (confirmation,) = wait_for_mail(smtp, READER_EMAIL, 1)
    assert confirmation["Subject"] == f"أكّد اشتراكك في {newsletter_name()}"
    assert_encoded_words_stand_alone(raw_header(confirmation, "Subject"))
    assert confirmation["From"].addresses[0].display_name  # Arabic display name decodes
    assert_encoded_words_stand_alone(raw_header(confirmation, "From").rsplit("<", 1)[0])
    text = body_text(confirmation, "plain")
    assert READER_NAME not in text  # a stranger's text is not mailed before confirmation
    (confirm_url,) = re.findall(r"https?://\S+/newsletter/confirm/\S+/", text)
    assert confirm_url.startswith(base + "/")
    assert 'dir="rtl"' in body_text(confirmation, "html")

    response = page.goto(confirm_url, wait_until="networkidle")
    assert response.status == 200
    assert html_dir(page) == "rtl"
    assert page.locator("h1.nl-message__title").inner_text().startswith("أكّد اشتراكك")
    assert page.locator("bdi.nl-address").inner_text() == READER_EMAIL
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING and reader.confirmed_at is None  # GET changed nothing
    assert len(mail_for(smtp, READER_EMAIL)) == 1
    page.screenshot(path=str(screenshot_dir / "newsletter-2-confirm-phone.png"))
    assert axe_violations(page, axe_source) == []
    with page.expect_navigation(wait_until="networkidle"):
        page.get_by_role("button", name="أكّد اشتراكي").click()
    assert html_dir(page) == "rtl"
    assert page.locator("h1.nl-message__title").inner_text().strip() == "شكرًا لك، تمّ تأكيد اشتراكك"
    page.screenshot(path=str(screenshot_dir / "newsletter-3-confirmed-phone.png"))
    assert axe_violations(page, axe_source) == []
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED and reader.confirmed_at is not None
    assert run_task_worker() == [("welcome_send_task", "SUCCESSFUL")]
    _, welcome = wait_for_mail(smtp, READER_EMAIL, 2)
    assert welcome["Subject"] == f"أهلًا بك في {newsletter_name()}"
    assert READER_NAME in body_text(welcome, "plain")
    assert lxml.html.document_fromstring(body_text(welcome, "html")).get("dir") == "rtl"
    assert str(welcome["List-Unsubscribe-Post"]) == ONE_CLICK
    welcome_unsubscribe, _ = list_unsubscribe_uris(welcome)
    context.close()

    # 3. An editor publishes an article for subscribers; the worker sends it.
    first = publish_article(title=FIRST_TITLE, like=article)
    issue = Issue.objects.get(article=first)  # created by the publish signal
    assert run_task_worker() == NEWSLETTER_TASKS_RAN
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert set(Delivery.objects.filter(issue=issue).values_list("subscriber__email", "status")) == {
        (READER_EMAIL, Delivery.Status.SENT), (CONTROL_EMAIL, Delivery.Status.SENT)}
    reader_mail = mail_for(smtp, READER_EMAIL)
    assert len(reader_mail) == 3  # confirmation, welcome, this issue: no more
    issues = [m for m in reader_mail if m["Subject"] == FIRST_TITLE]
    assert len(issues) == 1
    (issue_mail,) = issues
    assert_encoded_words_stand_alone(raw_header(issue_mail, "Subject"))
    assert issue_mail["To"].addresses[0].display_name == READER_NAME
    assert issue_mail["Message-ID"] and issue_mail["Date"] and issue_mail["List-Id"]
    assert str(issue_mail["List-Unsubscribe-Post"]) == ONE_CLICK
    unsubscribe_url, mailto = list_unsubscribe_uris(issue_mail)
    assert unsubscribe_url.startswith(base + "/newsletter/unsubscribe/")
    assert unsubscribe_url == welcome_unsubscribe  # one stable link per subscriber
    assert mailto.startswith("mailto:") and "subject=unsubscribe" in mailto
    html = body_text(issue_mail, "html")
    document = lxml.html.document_fromstring(html)
    assert document.get("dir") == "rtl"
    assert document.find("body").get("dir") == "rtl"
    assert 'dir="rtl"' in html
    assert unsubscribe_url in document.xpath("//a/@href")
    assert base + first.url in document.xpath("//a/@href")  # "read on the site"
    plain = body_text(issue_mail, "plain")
    assert FIRST_TITLE in plain and unsubscribe_url in plain
    assert len(mail_for(smtp, CONTROL_EMAIL)) == 1

    # The email as a reader sees it, on a phone and at the 600-px layout.
    for width in (390, 600):
        context, page = open_page({"width": width, "height": 900})
        page.set_content(html, wait_until="networkidle")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)"), "broken image"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), \
            f"email scrolls sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"newsletter-4-issue-email-{width}.png"), full_page=True)
        assert axe_violations(page, axe_source) == []
        if width == 390:  # dark-mode friendly: the prefers-color-scheme rules kept in <style>
            page.emulate_media(color_scheme="dark")
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(243, 241, 236)"
            page.screenshot(path=str(screenshot_dir / "newsletter-4-issue-email-390-dark.png"), full_page=True)
            assert axe_violations(page, axe_source) == []
        context.close()

    # 4. One-click unsubscribe, exactly as a mail provider sends it (RFC 8058).
    provider, _ = open_page()  # a fresh context: no cookie, no CSRF token
    assert provider.cookies() == []
    one_click = {"data": ONE_CLICK, "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    first_post = provider.request.post(unsubscribe_url, **one_click)
    assert first_post.status == 200
    assert "أُلغي اشتراكك" in first_post.text()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    unsubscribed_at = reader.unsubscribed_at
    assert unsubscribed_at is not None
    second_post = provider.request.post(unsubscribe_url, **one_click)
    assert second_post.status == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribed_at == unsubscribed_at  # the repeat changed nothing
    provider.close()

    second = publish_article(title=SECOND_TITLE, like=article)
    assert run_task_worker() == NEWSLETTER_TASKS_RAN
    second_issue = Issue.objects.get(article=second)
    assert second_issue.status == Issue.Status.SENT
    assert list(Delivery.objects.filter(issue=second_issue).values_list("subscriber__email", flat=True)) == [
        CONTROL_EMAIL]
    assert [m["Subject"] for m in mail_for(smtp, CONTROL_EMAIL)] == [FIRST_TITLE, SECOND_TITLE]
    assert len(mail_for(smtp, READER_EMAIL)) == 3  # nothing after unsubscribing

    # 5. Every page and email the browser showed loaded only from this machine.
    assert any("/media/" in url for url in open_page.requests)  # the email's images were loaded...
    assert_local_only(open_page.requests)  # ...from here, like everything else
