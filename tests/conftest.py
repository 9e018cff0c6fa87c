"""Fixtures: every database test runs on SQLite and, when TRACKER_TEST_POSTGRES_URL is set,
on PostgreSQL too, each test on a clean database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from api.app import create_app
from models import keys, schema
from models.organisations import OrganisationKind, add_organisation, add_user
from models.piccolo_app import APP_CONFIG
from models.settings import Settings
from tests.clock import clock  # noqa: F401 - every test runs on the tests' clock

POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
ENGINES = ["sqlite", "postgres"]


def _with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _run_apart(coroutine) -> None:
    """Run a coroutine on its own loop in a thread: session fixtures may be set up from
    inside a test's running loop."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


async def _migrate(settings: Settings) -> None:
    async with schema.connected(settings) as engine:
        await schema.migrate(engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite"
    _run_apart(_migrate(Settings(database_url=f"sqlite:///{path}")))
    return path


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_postgres(prefix: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards: its URL."""
    if not POSTGRES_URL:
        pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _run_apart(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database_name(POSTGRES_URL, name)
    finally:
        _run_apart(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of its own for this run, migrated once, dropped at the end."""
    with scratch_postgres("tracker_test") as url:
        _run_apart(_migrate(Settings(database_url=url)))
        yield url


async def _empty_postgres(url: str) -> None:
    tables = ", ".join(table._meta.tablename for table in APP_CONFIG.table_classes)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture(params=ENGINES)
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of a clean, migrated database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        await _empty_postgres(url)
    # Tests reach webhooks on a local receiver, and send more than a person would.
    return Settings(
        database_url=url, data_dir=tmp_path, webhook_http_hosts="127.0.0.1", rate_limit=0
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[None]:
    """The tables bound to the test's database, for tests of the domain without HTTP."""
    async with schema.connected(settings):
        await keys.unlock(settings)
        yield


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app, on the test's own event loop so that concurrent requests
    really interleave. The database is connected here, as the app's lifespan would."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with schema.connected(settings):
        await keys.unlock(settings)
        async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as http:
            yield http


class Member:
    """A user of an organisation, with the headers that authenticate them."""

    def __init__(self, kind: OrganisationKind, organisation_id: uuid.UUID, token: str):
        self.kind = kind
        self.organisation_id = organisation_id
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}


async def make_member(kind: OrganisationKind, country: str = "DK") -> Member:
    organisation = await add_organisation(
        name=f"{kind.value} {uuid.uuid4().hex[:6]}", kind=kind, country=country
    )
    _, token = await add_user(organisation_id=organisation.id, name=f"user of {organisation.name}")
    return Member(kind, organisation.id, token)


@pytest.fixture
async def authority(client: httpx.AsyncClient) -> Member:
    return await make_member(OrganisationKind.authority)


@pytest.fixture
async def centre(client: httpx.AsyncClient) -> Member:
    return await make_member(OrganisationKind.centre)


@pytest.fixture
async def return_org(client: httpx.AsyncClient) -> Member:
    return await make_member(OrganisationKind.return_org, country="CH")


@pytest.fixture
async def partner(client: httpx.AsyncClient) -> Member:
    return await make_member(OrganisationKind.partner, country="NG")


@pytest.fixture
async def other_partner(client: httpx.AsyncClient) -> Member:
    return await make_member(OrganisationKind.partner, country="NG")


@pytest.fixture(scope="session")
def harness():
    """The event loop the browser tests set up their world on (tests/browser_support.py)."""
    from tests.browser_support import Harness

    running = Harness()
    yield running
    running.close()


@pytest.fixture(scope="session", params=ENGINES)
def tracker(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, harness):
    """``tracker serve`` on a database of its own: one server of each engine for all the
    browser tests (the field app's and the console's)."""
    from tests.browser.tracker import Tracker
    from tests.browser_support import served

    folder = tmp_path_factory.mktemp(f"tracker-{request.param}")
    template = lambda: request.getfixturevalue("sqlite_template")  # noqa: E731
    with served(request.param, folder, template, harness) as (server, settings):
        yield Tracker(harness, server, settings, folder)


#: Folders of tests that drive a real browser; CI checks that some of them passed.
BROWSER_TESTS = ("tests/browser/", "tests/console_browser/")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Lines that .ci/run reads to prove the PostgreSQL half and the browser tests ran."""
    passed = [report.nodeid for report in terminalreporter.stats.get("passed", [])]
    counts = {engine: sum(f"[{engine}" in nodeid for nodeid in passed) for engine in ENGINES}
    terminalreporter.write_line(
        f"database tests passed: sqlite {counts['sqlite']}, postgres {counts['postgres']}"
    )
    browser = sum(nodeid.startswith(BROWSER_TESTS) for nodeid in passed)
    terminalreporter.write_line(f"browser tests passed: {browser}")
