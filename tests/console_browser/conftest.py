"""Browser tests of the office console: Debian's Chromium on a laptop's screen, in Danish,
against the real tracker (``tracker serve``, the ``tracker`` fixture of tests/conftest.py:
one server of each engine, shared with the field app's browser tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from models.organisations import OrganisationKind
from tests.browser.tracker import Tracker
from tests.browser_support import chromium
from tests.console_browser.console import LAPTOP, Console
from tests.console_browser.world import World, seed


# Package-scoped: one Chromium for all the console's walks. While Playwright's sync API is
# open its event loop counts as running in the main thread, so it must close before the
# async tests of other folders start theirs.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = chromium(playwright)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def world(tracker: Tracker) -> World:
    """Organisations of each kind with cases in every status (tests/console_browser/world.py),
    made once a module and engine; tests that change things make their own."""
    return seed(tracker)


@pytest.fixture
def laptop(browser: Browser, tracker: Tracker) -> Iterator[Callable[..., Console]]:
    """New laptops (each with its own cookies) on the console; a server error or a script
    that throws on any of them fails the test. ``bypass_csp``: scripts of the test's own
    (axe) may run in the pages."""
    opened: list[Console] = []

    def open_one(bypass_csp: bool = False) -> Console:
        context = browser.new_context(**LAPTOP, base_url=tracker.url, bypass_csp=bypass_csp)
        context.set_default_timeout(20_000)
        console = Console(context.new_page(), tracker)
        opened.append(console)
        return console

    yield open_one
    for console in opened:
        console.page.context.close()
    failures = [failure for console in opened for failure in console.failures]
    assert not failures, f"the console failed: {failures}"


@pytest.fixture
def console(laptop: Callable[..., Console]) -> Console:
    """A laptop on the console, nobody signed in yet."""
    return laptop()


@pytest.fixture
def signed_in(console: Console) -> Callable[..., Console]:
    """``signed_in(kind, coordinator=False)``: a staff member of a new organisation of that
    kind, signed in through the real pages."""

    def sign_in(
        kind: OrganisationKind = OrganisationKind.authority,
        *,
        coordinator: bool = False,
        organisation_id=None,
    ) -> Console:
        console.sign_in(
            console.staff(kind, coordinator=coordinator, organisation_id=organisation_id)
        )
        return console

    return sign_in
