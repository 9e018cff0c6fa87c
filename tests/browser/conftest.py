"""Browser tests: Debian's Chromium driven by Playwright with a phone's screen and touch,
against the real tracker (``tracker serve``) on a free port of this machine, on a test
database of each engine (SQLite, and PostgreSQL when TRACKER_TEST_POSTGRES_URL is set).

127.0.0.1 is a secure context, so the app gets its service worker and WebCrypto as on an
https origin. Playwright's own browser download is not reachable here: Chromium is
Debian's package (``apt-get install chromium``)."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from models.settings import Settings
from tests.browser.tracker import Tracker
from tests.conftest import ENGINES, POSTGRES_URL, _migrate, _run_apart, _with_database_name
from tests.reliability.server import Server

CHROMIUM = "/usr/bin/chromium"
#: The machine's closed network refuses Chromium's own background connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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


class Harness:
    """An event loop of its own in a thread: the tests drive the browser synchronously,
    while the server and the set-up of a test's world are async."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 180):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    running = Harness()
    yield running
    running.close()


def _postgres_of_its_own() -> tuple[str, callable]:
    name = f"tracker_browser_{uuid.uuid4().hex[:12]}"
    url = _with_database_name(POSTGRES_URL, name)

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    _run_apart(admin(f'CREATE DATABASE "{name}"'))
    _run_apart(_migrate(Settings(database_url=url)))
    return url, lambda: _run_apart(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=ENGINES)
def tracker(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, harness: Harness
) -> Iterator[Tracker]:
    """``tracker serve`` on a database of its own, for every browser test of one engine."""
    folder = tmp_path_factory.mktemp(f"tracker-{request.param}")
    drop = None
    if request.param == "sqlite":
        path = folder / "tracker.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        if not POSTGRES_URL:
            pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
        url, drop = _postgres_of_its_own()
    settings = Settings(database_url=url, data_dir=folder / "data")
    server = Server(settings, folder)
    harness.run(server.start())
    try:
        yield Tracker(harness, server, settings, folder)
    finally:
        harness.run(server.stop())
        if drop:
            drop()


# Module-scoped: while Playwright's sync API is open, its event loop counts as running in
# the main thread, and the async tests of other modules could not start theirs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
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
