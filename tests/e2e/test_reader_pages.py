"""The reader's view in a real browser: the demo publication on a phone and
a desktop, right-to-left, with captions and credits, a working back-to-top
button, no request leaving 127.0.0.1, and no serious accessibility issue."""

import os
from urllib.parse import urlparse

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def demo(transactional_db, settings, live_server):
    # each browser test starts from a flushed database: the demo loader
    # recreates the page-tree root, locale and collection itself
    from nashr.articles.models import ArticlePage
    from nashr.site.demo.loader import demo_create

    settings.SITE_URL = live_server.url
    demo_create()
    article = (
        ArticlePage.objects.live().filter(body__icontains='"type": "image"').order_by("-date_published").first()
        or ArticlePage.objects.live().first()
    )
    return {"base": live_server.url, "article": article}


def open_page(browser, url, viewport, requests):
    context = browser.new_context(viewport=viewport, locale="ar", reduced_motion="reduce")
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, url
    page.evaluate("document.fonts.ready")
    return context, page


def assert_local_only(requests):
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert not outside, f"requests left 127.0.0.1: {outside[:5]}"


def axe_violations(page, axe_source):
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_home_and_article_read_right_to_left(browser, demo, device, screenshot_dir, axe_source):
    requests: list[str] = []
    viewport = VIEWPORTS[device]
    # Home page
    context, page = open_page(browser, demo["base"] + "/", viewport, requests)
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("document.fonts.check('20px \"Noto Naskh Arabic\"', 'نشر')")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scroll"
    page.screenshot(path=str(screenshot_dir / f"home-{device}.png"), full_page=False)
    assert axe_violations(page, axe_source) == []
    context.close()

    # Article page
    article = demo["article"]
    context, page = open_page(browser, demo["base"] + article.url, viewport, requests)
    assert page.evaluate("getComputedStyle(document.querySelector('.article__body')).direction") == "rtl"
    headline = page.locator("h1.article__title")
    assert headline.inner_text().strip() == article.title.strip()
    lead_caption = page.locator(".lead-figure figcaption")
    assert lead_caption.locator(".caption").is_visible()
    assert lead_caption.locator(".credit").is_visible()
    assert article.lead_image.credit in lead_caption.inner_text()
    # the headline's box starts at the right edge: text flows right to left
    box = headline.bounding_box()
    assert viewport["width"] - (box["x"] + box["width"]) < box["x"] + 1
    page.screenshot(path=str(screenshot_dir / f"article-{device}.png"), full_page=False)
    page.screenshot(path=str(screenshot_dir / f"article-{device}-full.png"), full_page=True)
    assert axe_violations(page, axe_source) == []

    # Back to top: hidden at the top, shown after scrolling, works by click...
    to_top = page.locator("#to-top")
    assert not to_top.is_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    to_top.wait_for(state="visible")
    to_top.click()
    page.wait_for_function("window.scrollY === 0")
    # ...and by keyboard (focus it, press Enter)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    to_top.wait_for(state="visible")
    to_top.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("window.scrollY === 0")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()
    assert_local_only(requests)
