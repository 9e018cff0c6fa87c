"""What the browser tests of the field app (tests/browser/) and of the office console
(tests/console_browser/) share: Debian's Chromium, an event loop for the async set-up
beside Playwright's synchronous API, and the real tracker (``tracker serve``) on a free port
of this machine, on a database of its own of each engine (SQLite, and PostgreSQL when
TRACKER_TEST_POSTGRES_URL is set).

Playwright's own browser download is not reachable here: Chromium is Debian's package
(``apt-get install chromium``)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from playwright.sync_api import Browser, Playwright

from models.settings import Settings
from tests.conftest import POSTGRES_URL, _migrate, _run_apart, _with_database_name
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


def postgres_of_its_own(prefix: str = "tracker_browser") -> tuple[str, Callable[[], None]]:
    """A new, migrated PostgreSQL database: its URL, and how to drop it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
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


@contextlib.contextmanager
def served(
    engine: str, folder: Path, sqlite_template: Callable[[], Path], harness: Harness
) -> Iterator[tuple[Server, Settings]]:
    """``tracker serve`` on a database of its own of ``engine``, stopped afterwards (and
    its PostgreSQL database dropped). Skips when PostgreSQL is asked for and not set."""
    drop = None
    if engine == "sqlite":
        path = folder / "tracker.sqlite"
        shutil.copy(sqlite_template(), path)
        url = f"sqlite:///{path}"
    else:
        if not POSTGRES_URL:
            pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
        url, drop = postgres_of_its_own()
    settings = Settings(database_url=url, data_dir=folder / "data")
    server = Server(settings, folder)
    harness.run(server.start())
    try:
        yield server, settings
    finally:
        harness.run(server.stop())
        if drop:
            drop()


def chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; a clear failure when it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
