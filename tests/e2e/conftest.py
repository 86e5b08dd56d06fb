"""Browser fixtures: Debian's Chromium driven by Playwright.

Tests skip when Chromium or Playwright is missing, except when
``NASHR_REQUIRE_BROWSER=1`` (CI sets it), where that is a failure."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NASHR_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _missing(reason: str):
    if os.environ.get("NASHR_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (NASHR_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls made by fixtures around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        _missing("axe-core is not installed (run `npm ci`)")
    return AXE.read_text()


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
