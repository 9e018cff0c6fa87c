"""SQLite under load: 64 concurrent writers against the real server for a while, and not one
error, not one "database is locked". Writes in one process take turns on one connection;
across processes they wait on the busy timeout.

The issue asks for 30 seconds; CI runs ``TRACKER_LOAD_SECONDS`` (default 10) to stay fast.
The full run:

    TRACKER_LOAD_SECONDS=30 .venv/bin/pytest tests/reliability/test_sqlite_under_load.py
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from models import keys, schema
from models.cases.tables import Case
from models.followup.tables import Payment, Report
from models.organisations import OrganisationKind
from models.settings import Settings
from tests.api.conftest import Journey, case_body, days_ago, payment_body, report_body
from tests.conftest import make_member
from tests.reliability.server import Server

WRITERS = 64
SECONDS = float(os.environ.get("TRACKER_LOAD_SECONDS", "10"))
LOCKED = "database is locked"

pytestmark = [
    pytest.mark.slow,
    # SQLite only: the settings fixture's PostgreSQL half is not asked for.
    pytest.mark.parametrize("settings", ["sqlite"], indirect=True),
]


async def _members(settings: Settings) -> dict[OrganisationKind, object]:
    async with schema.connected(settings):
        await keys.unlock(settings)
        return {
            OrganisationKind.authority: await make_member(OrganisationKind.authority),
            OrganisationKind.return_org: await make_member(OrganisationKind.return_org, "CH"),
            OrganisationKind.partner: await make_member(OrganisationKind.partner, "NG"),
        }


async def _counts(settings: Settings) -> Counter:
    async with schema.connected(settings):
        return Counter(
            cases=await Case.count(), reports=await Report.count(), payments=await Payment.count()
        )


class Writers:
    def __init__(self, journey: Journey, deadline: float) -> None:
        self.journey, self.deadline = journey, deadline
        self.created: Counter[str] = Counter()
        self.errors: list[str] = []
        self.slowest = 0.0

    def _request(self, n: int) -> tuple[str, str, dict, dict]:
        journey = self.journey
        match n % 3:
            case 0:
                return "reports", f"{journey.path}/reports", report_body(), journey.partner.headers
            case 1:
                body = payment_body(amount="1.00")
                return "payments", f"{journey.path}/payments", body, journey.partner.headers
            case _:
                body = case_body(journey.return_org, journey.partner)
                return "cases", "/api/v1/cases", body, journey.opener.headers

    async def write(self, http: httpx.AsyncClient, writer: int) -> None:
        n = writer
        while time.monotonic() < self.deadline:
            kind, path, body, headers = self._request(n)
            n += 1
            started = time.monotonic()
            try:
                response = await http.post(path, json=body, headers=headers)
            except httpx.HTTPError as error:
                self.errors.append(f"{kind}: {error!r}")
                continue
            self.slowest = max(self.slowest, time.monotonic() - started)
            if response.status_code == 201:
                self.created[kind] += 1
            else:
                self.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")


async def _drive(servers: list[Server], journey_of: dict[str, Journey]) -> Writers:
    deadline = time.monotonic() + SECONDS
    clients = [
        httpx.AsyncClient(
            base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=WRITERS)
        )
        for server in servers
    ]
    try:
        writers = Writers(journey_of[servers[0].url], deadline)
        await asyncio.gather(*(writers.write(clients[n % len(clients)], n) for n in range(WRITERS)))
    finally:
        for client in clients:
            await client.aclose()
    return writers


async def _in_reintegration(server: Server, members) -> Journey:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        journey = Journey(
            http,
            members[OrganisationKind.authority],
            members[OrganisationKind.return_org],
            members[OrganisationKind.partner],
        )
        await journey.open()
        await journey.plan(
            budget=[{"category": "housing", "amount": "9999999.00", "currency": "NGN"}]
        )
        await journey.depart(on=days_ago(76))
        await journey.arrive(on=days_ago(75))
        return journey


async def _load(settings: Settings, folder: Path, processes: int) -> None:
    members = await _members(settings)
    servers = [
        Server(settings, folder, TRACKER_RATE_LIMIT="0", TRACKER_SQLITE_BUSY_TIMEOUT="30")
        for _ in range(processes)
    ]
    try:
        for server in servers:
            await server.start()
        journey = await _in_reintegration(servers[0], members)
        before = await _counts(settings)
        writers = await _drive(servers, {servers[0].url: journey})
    finally:
        for server in servers:
            await server.stop()
    logs = "\n".join(server.output() for server in servers)
    summary = (
        f"{processes} process(es), {WRITERS} writers, {SECONDS:.0f} s: {dict(writers.created)}, "
        f"{len(writers.errors)} errors, slowest answer {writers.slowest:.2f} s"
    )
    print(summary)  # shown with -rP
    assert writers.errors == [], f"{summary}\n" + "\n".join(writers.errors[:20])
    assert LOCKED not in logs, f"{summary}\n{logs}"
    assert sum(writers.created.values()) >= WRITERS, summary
    stored = await _counts(settings)
    assert stored - before == writers.created, summary


async def test_sixty_four_writers_on_one_server(settings: Settings, tmp_path: Path):
    await _load(settings, tmp_path, processes=1)


async def test_sixty_four_writers_on_two_server_processes_sharing_the_file(
    settings: Settings, tmp_path: Path
):
    """Two processes on one SQLite file (say, an API restarted next to a draining one):
    writers wait for each other's lock on the busy timeout instead of failing."""
    await _load(settings, tmp_path, processes=2)
