"""Browser tests of the field app: Debian's Chromium driven by Playwright with a phone's
screen and touch, against the real tracker (``tracker serve``, the ``tracker`` fixture of
tests/conftest.py) on a free port of this machine, on a test database of each engine.

127.0.0.1 is a secure context, so the app gets its service worker and WebCrypto as on an
https origin. What the console's browser tests share with these is in
tests/browser_support.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.browser.tracker import Tracker
from tests.browser_support import chromium

#: A cheap Android phone: 360×640, touch, Chrome's mobile user agent.
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; TECNO KI5q) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "en-NG",
    "timezone_id": "Africa/Lagos",
}


# Module-scoped: while Playwright's sync API is open, its event loop counts as running in
# the main thread, and the async tests of other modules could not start theirs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = chromium(playwright)
    yield launched
    launched.close()


@pytest.fixture
def phone_context(browser: Browser, tracker: Tracker) -> Iterator[BrowserContext]:
    """A phone of its own for each test: empty storage, no service worker yet."""
    context = browser.new_context(**PHONE, base_url=tracker.url, service_workers="allow")
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def phone(phone_context: BrowserContext, tracker: Tracker):
    """The app on the phone; a script error on the page fails the test."""
    from tests.browser.phone import Phone

    page = phone_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield Phone(page, tracker)
    assert not errors, f"the app threw: {errors}"
