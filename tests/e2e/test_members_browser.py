"""Members in a real browser, over real SMTP on loopback.

1. The invitation on a free article: closed (and taking no room) on load,
   opened as a modal after the reader scrolls through the body, focus kept
   inside, "تابع القراءة" closes it and focus goes back; after a reload it
   stays closed; Esc closes it too; a reader who has just subscribed never
   sees it. Phone (bottom sheet) and desktop.
2. The gate on a members-only article, the sign-in page, the magic link
   received by an aiosmtpd server on 127.0.0.1, the landing page's button,
   and the article in full; the account page. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import email
import email.policy
import re
import time

import pytest
from django.utils import timezone

from .test_reader_pages import assert_local_only, axe_violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
MEMBER_EMAIL = "huda.member@example.org"
MARKER = "QZM8080"


@pytest.fixture
def site(transactional_db, settings, live_server, smtp):
    """The demo publication; one long article made members-only with a
    marker in its last block; a confirmed subscriber. Background tasks run
    at once (the sign-in email is sent by one)."""
    from django.core.cache import cache
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    from nashr.articles.models import ArticlePage
    from nashr.newsletter.models import Subscriber
    from nashr.site.demo.loader import demo_create

    settings.SITE_URL = live_server.url
    settings.NASHR_GATE_FREE_BLOCKS = 3
    settings.NASHR_INVITE_ENABLED = True
    settings.NASHR_INVITE_SCROLL_PERCENT = 50
    settings.NASHR_INVITE_DISMISS_DAYS = 7
    cache.clear()
    demo_create()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert isinstance(task_backends["default"], ImmediateBackend)
    articles = sorted(ArticlePage.objects.live(), key=lambda a: len(list(a.body)), reverse=True)
    gated, free = articles[0], articles[1]
    gated.access = "members"
    gated.body.append(("paragraph", f"<p>الخلاصة الأخيرة للمشتركين ورمزها {MARKER}.</p>"))
    gated.save_revision().publish()
    gated = ArticlePage.objects.get(pk=gated.pk)
    assert len(list(gated.body)) > 4
    Subscriber.objects.create(email=MEMBER_EMAIL, email_key=MEMBER_EMAIL, name="هدى",
                              status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    return {"base": live_server.url, "gated": gated, "free": free}


@pytest.fixture
def new_page(browser):
    contexts = []
    requests: list[str] = []

    def make(viewport=PHONE):
        context = browser.new_context(viewport=viewport, locale="ar", reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        return context, page

    make.requests = requests
    yield make
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


SCROLL_INTO_BODY = """(share) => {
  const r = document.querySelector('.article__body').getBoundingClientRect();
  window.scrollTo(0, window.scrollY + r.top - window.innerHeight + share * r.height);
}"""
DIALOG_OPEN = "document.getElementById('invite').open"
FOCUS_IN_DIALOG = "document.getElementById('invite').contains(document.activeElement)"


def _goto(page, url):
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, url
    page.evaluate("document.fonts.ready")


@pytest.mark.browser
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_invitation_opens_after_scrolling_and_stays_dismissed(site, new_page, device, screenshot_dir, axe_source):
    viewport = PHONE if device == "phone" else DESKTOP
    url = site["base"] + site["free"].url
    context, page = new_page(viewport)
    _goto(page, url)
    dialog = page.locator("dialog#invite")
    assert dialog.count() == 1 and not page.evaluate(DIALOG_OPEN)
    assert not dialog.is_visible()
    height_before = page.evaluate("document.documentElement.scrollHeight")

    page.evaluate(SCROLL_INTO_BODY, 0.3)  # under the 50 % share: nothing yet
    page.wait_for_timeout(300)
    assert not page.evaluate(DIALOG_OPEN)
    page.evaluate(SCROLL_INTO_BODY, 0.75)
    page.wait_for_function(DIALOG_OPEN)
    assert dialog.is_visible()
    assert page.evaluate("document.getElementById('invite').matches(':modal')")
    assert page.evaluate("document.documentElement.scrollHeight") == height_before  # no layout shift
    site_name = page.locator(".brand__name").inner_text()
    assert dialog.locator("#invite-title").inner_text() == f"اكتشف المزيد من {site_name}"
    assert page.evaluate("getComputedStyle(document.getElementById('invite')).direction") == "rtl"
    assert dialog.locator("#invite-nl-email").is_visible()
    # focus is inside and stays inside, forwards and backwards
    assert page.evaluate(FOCUS_IN_DIALOG)
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_IN_DIALOG)
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(FOCUS_IN_DIALOG)
    box = dialog.bounding_box()
    if device == "phone":  # a bottom sheet, full width, on the bottom edge
        assert box["width"] >= viewport["width"] - 1
        assert abs(box["y"] + box["height"] - viewport["height"]) <= 1
    else:  # a centred card
        assert box["width"] < 700 and box["y"] > 0
    page.screenshot(path=str(screenshot_dir / f"members-invite-{device}.png"))
    assert axe_violations(page, axe_source) == []

    page.get_by_role("button", name="تابع القراءة").click()
    assert not page.evaluate(DIALOG_OPEN)
    # focus is given back by the dialog's "close" event, which the browser
    # fires in a later task: wait for it (fails after 5 s if never)
    page.wait_for_function("!" + FOCUS_IN_DIALOG, timeout=5000)
    assert page.evaluate("Number(localStorage.getItem('nashr:invite:dismissed')) > 0")

    # reload: dismissed for NASHR_INVITE_DISMISS_DAYS
    _goto(page, url)
    page.evaluate(SCROLL_INTO_BODY, 0.75)
    page.wait_for_timeout(500)
    assert not page.evaluate(DIALOG_OPEN)
    # ...but not forever: eight days later it comes back
    page.evaluate("localStorage.setItem('nashr:invite:dismissed', String(Date.now() - 8 * 86400000))")
    _goto(page, url)
    page.evaluate(SCROLL_INTO_BODY, 0.75)
    page.wait_for_function(DIALOG_OPEN)
    page.keyboard.press("Escape")  # Esc closes it as well
    page.wait_for_function("!" + DIALOG_OPEN)
    context.close()
    assert_local_only(new_page.requests)


@pytest.mark.browser
def test_no_invitation_after_subscribing_on_gated_articles_or_when_turned_off(site, new_page, settings):
    context, page = new_page(DESKTOP)
    url = site["base"] + site["free"].url
    _goto(page, url)
    page.fill("#footer-nl-email", "new.reader@example.org")
    with page.expect_navigation(wait_until="networkidle"):
        page.locator("#footer-nl-email").press("Enter")
    assert page.url.endswith("/newsletter/subscribe/")
    _goto(page, url)
    page.evaluate(SCROLL_INTO_BODY, 0.75)
    page.wait_for_timeout(500)
    assert not page.evaluate(DIALOG_OPEN)
    context.close()

    context, page = new_page(DESKTOP)
    _goto(page, site["base"] + site["gated"].url)  # the gate has its own form: no dialog
    assert page.locator("dialog#invite").count() == 0
    settings.NASHR_INVITE_ENABLED = False
    _goto(page, url)
    assert page.locator("dialog#invite").count() == 0


def _mail_for(server, to):
    with server.handler.lock:
        raw = [data for _, rcpts, data in server.handler.messages if to in rcpts]
    return [email.message_from_bytes(data, policy=email.policy.default) for data in raw]


def _wait_for_mail(server, to, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not _mail_for(server, to):
        assert time.monotonic() < deadline, f"no mail for {to}"
        time.sleep(0.05)
    return _mail_for(server, to)[0]


@pytest.mark.browser
def test_gate_then_magic_link_sign_in_opens_the_article_in_full(site, smtp, new_page, screenshot_dir, axe_source):
    gated = site["gated"]
    base = site["base"]
    for device, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page = new_page(viewport)
        _goto(page, base + gated.url)
        assert MARKER not in page.content()
        gate = page.locator("#gate")
        gate.scroll_into_view_if_needed()
        assert "اشترك الآن لمتابعة القراءة والوصول إلى الأرشيف الكامل" in gate.inner_text()
        assert gate.locator("#gate-nl-email").is_visible()
        assert page.evaluate("getComputedStyle(document.getElementById('gate')).direction") == "rtl"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scroll"
        page.screenshot(path=str(screenshot_dir / f"members-gate-{device}.png"))
        assert axe_violations(page, axe_source) == []
        if device == "desktop":
            context.close()

    # phone: "sign in" from the gate -> the sign-in page
    context, page = new_page(PHONE)
    _goto(page, base + gated.url)
    with page.expect_navigation(wait_until="networkidle"):
        page.locator("#gate").get_by_role("link", name="سجّل الدخول").click()
    assert "/account/signin/" in page.url
    assert page.locator("h1").inner_text() == "تسجيل الدخول للمشتركين"
    page.screenshot(path=str(screenshot_dir / "members-signin-phone.png"))
    assert axe_violations(page, axe_source) == []
    page.fill("#signin-email", MEMBER_EMAIL)
    with page.expect_navigation(wait_until="networkidle"):
        page.get_by_role("button", name="أرسل إليّ رابط الدخول").click()
    assert page.locator("h1").inner_text() == "تحقّق من بريدك"
    assert page.locator("bdi.nl-address").inner_text() == MEMBER_EMAIL

    message = _wait_for_mail(smtp, MEMBER_EMAIL)
    assert str(message["Subject"]).startswith("رابط الدخول إلى")
    text = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/account/signin/link/\?\S+", text)
    assert link.startswith(base + "/")

    _goto(page, link)
    assert page.locator("h1").inner_text() == "أهلًا بعودتك"
    with page.expect_navigation(wait_until="networkidle"):
        page.get_by_role("button", name="ادخل الآن").click()
    assert page.url == base + gated.url  # back to the article it came from
    assert MARKER in page.locator(".article__body .article__gated").inner_text()
    assert page.locator("#gate").count() == 0 and page.locator("dialog#invite").count() == 0
    assert page.locator(".site-header a.account-link").inner_text() == "حسابي"

    # the link is spent: a second use says so in Arabic
    _goto_status = page.goto(link, wait_until="networkidle")
    assert _goto_status.status == 400
    assert "استُخدم من قبل" in page.locator("h1").inner_text()

    for device, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        _goto(page, base + "/account/")
        assert MEMBER_EMAIL in page.locator(".nl-facts").inner_text()
        page.screenshot(path=str(screenshot_dir / f"members-account-{device}.png"))
        assert axe_violations(page, axe_source) == []
    page.set_viewport_size(DESKTOP)
    _goto(page, base + "/account/signin/")  # a member is sent on to the account page
    assert page.url == base + "/account/"
    context.close()

    context, page = new_page(DESKTOP)
    _goto(page, base + "/account/signin/")
    page.screenshot(path=str(screenshot_dir / "members-signin-desktop.png"))
    context.close()
    assert_local_only(new_page.requests)
