"""Search and related articles in a real browser: the demo publication,
its related-articles box below an article and the filtered /search/ page,
right-to-left on a phone and a desktop."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def demo(transactional_db, settings, live_server):
    from nashr.articles.models import ArticlePage
    from nashr.search.services import related_rebuild, search_index_rebuild
    from nashr.site.demo.loader import demo_create

    settings.SITE_URL = live_server.url
    demo_create()
    search_index_rebuild()
    related_rebuild()
    return {"base": live_server.url, "article": ArticlePage.objects.live().order_by("-date_published").first()}


@pytest.mark.browser
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_related_box_and_filtered_search_read_right_to_left(browser, demo, device, screenshot_dir):
    from nashr.articles.models import SectionPage

    context = browser.new_context(viewport=VIEWPORTS[device], locale="ar", reduced_motion="reduce")
    page = context.new_page()
    assert page.goto(demo["base"] + demo["article"].url, wait_until="networkidle").status == 200
    box = page.locator("section.related")
    box.scroll_into_view_if_needed()
    assert box.locator("h2").inner_text() == "مقالات ذات صلة"
    cards = box.locator(".related-card")
    assert 3 <= cards.count() <= 6
    assert page.evaluate("getComputedStyle(document.querySelector('section.related')).direction") == "rtl"
    # right to left: on a desktop the title starts at the right edge of its
    # card; on a phone the card is one row whose thumbnail takes the right
    # edge, with the title to its left
    title = cards.first.locator(".related-card__title").bounding_box()
    card = cards.first.bounding_box()
    right = lambda b: b["x"] + b["width"]  # noqa: E731
    if device == "phone":
        thumb = cards.first.locator(".related-card__media img").bounding_box()
        assert abs(right(thumb) - right(card)) < 2
        assert right(title) <= thumb["x"] and right(title) > thumb["x"] - 24
        assert thumb["height"] < 100 and card["height"] < 200, "a compact row, not a full-width photo"
    else:
        assert abs(right(title) - right(card)) < 24
    box.screenshot(path=str(screenshot_dir / f"related-{device}.png"))

    section = SectionPage.objects.live().first()
    page.goto(f"{demo['base']}/search/?q=المدينة&section={section.pk}&period=year", wait_until="networkidle")
    assert page.locator("select[name=section]").input_value() == str(section.pk)
    assert page.locator("select[name=period]").input_value() == "year"
    page.screenshot(path=str(screenshot_dir / f"search-filters-{device}.png"), full_page=False)
    context.close()
