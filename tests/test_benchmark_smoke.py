"""The benchmark tools still work: a few hundred generated cases the tracker accepts as its
own, and one short run of tests.bench.run, on SQLite and, when TRACKER_TEST_POSTGRES_URL is set,
on a scratch PostgreSQL database. Proves the tools run; asserts no timing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from models import clock as domain_clock
from models import keys, schema, sealing
from models.cases.tables import Case, Status
from models.followup.tables import Payment, Report
from models.settings import Settings
from tests.clock import faked
from tests.conftest import _run_apart, scratch_postgres

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

ROOT = Path(__file__).resolve().parent.parent
CASES = 200


def python(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a module at the test's instant (the generator dates its cases by its today)."""
    return subprocess.run(
        faked([sys.executable, *args]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.sqlite'}"
        return
    with scratch_postgres("tracker_bench") as url:
        yield url


async def use_as_the_tracker(settings: Settings, tokens: dict) -> None:
    """Generated rows open, list, sync and take a new payment through the API."""
    token_of = {o["id"]: o["users"][0]["token"] for o in tokens["organisations"]}
    async with schema.connected(settings):
        await keys.unlock(settings)
        found = {row["status"] for row in await Case.select(Case.status).distinct()}
        assert found == set(Status)
        await every_sealed_value_opens()
        case = await (
            Case.select()
            .where(Case.status == Status.reintegration, Case.support_ends_on > domain_clock.today())
            .first()
        )
        partner = {"Authorization": f"Bearer {token_of[str(case['partner_org'])]}"}
        opener = {"Authorization": f"Bearer {token_of[str(case['opened_by_org'])]}"}
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            path = f"/api/v1/cases/{case['id']}"
            read = await http.get(path, headers=partner)
            assert read.status_code == 200, read.text
            assert read.json()["person"]["given_name"]  # sealed, and opens
            assert (await http.get(path, headers=opener)).status_code == 200
            payments = await http.get(f"{path}/payments", headers=partner)
            assert payments.status_code == 200
            assert payments.json()["items"]
            reports = await http.get(f"{path}/reports", headers=partner)
            assert reports.status_code == 200
            await pages_of_sync_hold_every_change(http, partner, case["partner_org"])
            line = payments.json()["items"][0]
            paid = {
                "id": str(uuid.uuid4()),
                "month": 1,
                "category": line["category"],
                "amount": "1.00",
                "currency": line["currency"],
                "paid_on": case["arrived_on"].isoformat(),
                "method": "cash",
            }
            created = await http.post(f"{path}/payments", headers=partner, json=paid)
            assert created.status_code == 201, created.text


async def every_sealed_value_opens() -> None:
    """The generator seals each secret column as the tracker would: every value opens."""
    for table in keys.sealed_tables():
        for row in await table.select():
            sealing.open_row(table, row)


async def pages_of_sync_hold_every_change(
    http: httpx.AsyncClient, headers: dict[str, str], partner_id: uuid.UUID
) -> None:
    """Sync in pages one change shorter than what the partner reaches: the first page says
    there is more, and the pages together hold every case, report and payment once."""
    reached = Case.partner_org == partner_id
    cases = await Case.count().where(reached)
    reports = await Report.count().where(Report.case.is_in(Case.select(Case.id).where(reached)))
    payments = await Payment.count().where(Payment.case.is_in(Case.select(Case.id).where(reached)))
    total = cases + reports + payments
    assert total > 1
    seen: dict[str, list[str]] = {"cases": [], "reports": [], "payments": []}
    since, pages = "", []
    while True:
        page = await http.get(
            "/api/v1/sync",
            params={"limit": total - 1, **({"since": since} if since else {})},
            headers=headers,
        )
        assert page.status_code == 200, page.text
        body = page.json()
        pages.append(body["more"])
        for kind, ids in seen.items():
            ids.extend(item["id"] for item in body[kind])
        since = body["next"]
        if not body["more"]:
            break
    assert pages[0] is True
    assert len(pages) >= 2
    assert [len(set(ids)) for ids in seen.values()] == [cases, reports, payments]
    assert sum(len(ids) for ids in seen.values()) == total


def test_generate_then_run(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    generated = python(
        "-m", "tests.bench.generate", "--cases", str(CASES), "--database-url", database_url,
        "--data-dir", str(data_dir), timeout=120,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr[-3000:]
    summary = json.loads(generated.stdout[generated.stdout.index("{") :])
    assert summary["rows"]["return_case"] == CASES
    assert summary["rows"]["followup_report"] > 0
    assert summary["rows"]["support_payment"] > 0
    tokens = json.loads((data_dir / "bench-tokens.json").read_text())

    settings = Settings(database_url=database_url, data_dir=data_dir, rate_limit=0)
    _run_apart(use_as_the_tracker(settings, tokens))

    loader = "wrk" if shutil.which("wrk") else "httpx"
    ran = python(
        "-m", "tests.bench.run", "--database-url", database_url, "--data-dir", str(data_dir),
        "--seconds", "1", "--rounds", "1", "--warmup", "0", "--loader", loader, timeout=240,
    )  # fmt: skip
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-3000:]
    table = ran.stdout[ran.stdout.index("| scenario |") :]
    for row in ("| write: POST payment", "| sync: GET /sync", "| sweep: followup_sweep"):
        assert row in table, table
    write = next(line for line in table.splitlines() if line.startswith("| write:"))
    assert "| 0 / 0 |" in write, write  # every payment was accepted, on both sides
