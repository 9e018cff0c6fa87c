"""Crash recovery: the real server is killed with SIGKILL in the middle of a write load of
reports and payments, then restarted on the same database.

Every write acknowledged with a 2xx is there and complete: its fields as sent, its audit
entry (``audit_entry``, action report.submitted / payment.recorded) and its outbox event
(``event``, type report.submitted / payment.recorded). Nothing unacknowledged is half
there: a record present has its audit entry and its event, and no audit entry or event
exists without its record. A phone that never got its answer sends again after the
restart and gets 200 or 201, never a conflict.

The moment of the kill is random; ``TRACKER_CRASH_SEED`` replays one.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from models import keys, schema, sealing
from models.audit import AuditEntry
from models.cases.money import from_hundredths
from models.followup.tables import Payment, Report
from models.organisations import OrganisationKind
from models.outbox import Event
from models.settings import Settings
from tests.api.conftest import Journey, days_ago, payment_body, report_body
from tests.conftest import make_member
from tests.reliability.server import Server

WRITERS = 32
SEED = int(os.environ.get("TRACKER_CRASH_SEED", random.randrange(1_000_000)))  # noqa: S311

REPORT_FIELDS = (
    "month",
    "visited_on",
    "contact",
    "housing",
    "livelihood",
    "children_in_school",
    "wellbeing",
    "safety_concern",
    "retrafficking_risk",
    "needs",
    "narrative",
)
PAYMENT_FIELDS = ("month", "category", "currency", "paid_on", "recipient", "method", "note")


@dataclass
class Load:
    """What was sent, and what the server acknowledged."""

    sent: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)

    @property
    def unacknowledged(self) -> list[str]:
        return [record_id for record_id in self.sent if record_id not in self.acknowledged]


async def _people(settings: Settings) -> dict[OrganisationKind, Any]:
    async with schema.connected(settings):
        await keys.unlock(settings)
        return {
            OrganisationKind.authority: await make_member(OrganisationKind.authority),
            OrganisationKind.return_org: await make_member(OrganisationKind.return_org, "CH"),
            OrganisationKind.partner: await make_member(OrganisationKind.partner, "NG"),
        }


def _body(kind: str, rng: random.Random) -> dict[str, Any]:
    n = rng.randrange(10_000)
    if kind == "reports":
        return report_body(month=rng.randint(1, 2), wellbeing=rng.randint(1, 5), needs=f"n{n}")
    return payment_body(amount=f"{rng.randint(1, 99)}.{n % 100:02d}", note=f"note {n}")


async def _write(
    http: httpx.AsyncClient, journey: Journey, load: Load, rng: random.Random, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        kind = rng.choice(("reports", "payments"))
        body = _body(kind, rng)
        load.sent[body["id"]] = (kind, body)
        try:
            response = await http.post(
                f"{journey.path}/{kind}", json=body, headers=journey.partner.headers
            )
        except httpx.TransportError:
            return  # the server is gone: this request is unacknowledged
        if response.is_success:
            load.acknowledged.add(body["id"])
        else:
            load.refused.append(f"{response.status_code} {response.text[:200]}")


async def _stored(settings: Settings, case_id: uuid.UUID) -> dict[str, Any]:
    async with schema.connected(settings):
        await keys.unlock(settings)
        reports = await Report.select().where(Report.case == case_id)
        payments = await Payment.select().where(Payment.case == case_id)
        audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.case_id == case_id)
        events = await Event.select(Event.type, Event.data).where(Event.case_id == case_id)
        return {
            "reports": {str(r["id"]): sealing.open_row(Report, r) for r in reports},
            "payments": {str(p["id"]): sealing.open_row(Payment, p) for p in payments},
            "audit": Counter(entry["action"] for entry in audit),
            "events": [(e["type"], json.loads(e["data"])) for e in events],
        }


def _as_sent(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def _differences(kind: str, body: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    fields = REPORT_FIELDS if kind == "reports" else PAYMENT_FIELDS
    wrong = {f: (body.get(f), _as_sent(row[f])) for f in fields if body.get(f) != _as_sent(row[f])}
    if kind == "payments" and from_hundredths(row["amount_hundredths"]) != body["amount"]:
        wrong["amount"] = (body["amount"], from_hundredths(row["amount_hundredths"]))
    return wrong


@pytest.mark.slow
async def test_acknowledged_writes_survive_a_sigkill(settings: Settings, tmp_path: Path):
    rng = random.Random(SEED)  # noqa: S311 - a replayable kill, not a secret
    members = await _people(settings)
    server = Server(settings, tmp_path, TRACKER_RATE_LIMIT="0")
    load = Load()
    try:
        await server.start()
        limits = httpx.Limits(max_connections=WRITERS * 2)
        async with httpx.AsyncClient(base_url=server.url, timeout=20, limits=limits) as http:
            journey = Journey(
                http,
                members[OrganisationKind.authority],
                members[OrganisationKind.return_org],
                members[OrganisationKind.partner],
            )
            await journey.open()
            await journey.plan(
                budget=[{"category": "housing", "amount": "999999.00", "currency": "NGN"}]
            )
            await journey.depart(on=days_ago(76))
            await journey.arrive(on=days_ago(75))

            stop = asyncio.Event()
            streams = [random.Random(rng.random()) for _ in range(WRITERS)]  # noqa: S311
            writers = [
                asyncio.create_task(_write(http, journey, load, stream, stop)) for stream in streams
            ]
            kill_after = rng.uniform(0.5, 2.5)
            await asyncio.sleep(kill_after)
            server.kill()
            stop.set()
            await asyncio.gather(*writers)
            assert await server.wait() != 0

            context = f"seed {SEED}: killed after {kill_after:.2f} s"
            assert load.refused == [], context
            assert len(load.acknowledged) >= 10, f"{context}: too little load before the kill"

            await server.start()  # recovery on the same database
            # A phone that lost its answer sends again: the stored record or a new one.
            for record_id in load.unacknowledged:
                kind, body = load.sent[record_id]
                retried = await http.post(
                    f"{journey.path}/{kind}", json=body, headers=journey.partner.headers
                )
                assert retried.status_code in (200, 201), (context, retried.text)
            after = await http.post(
                f"{journey.path}/payments",
                json=payment_body(amount="1.00"),
                headers=journey.partner.headers,
            )
            assert after.status_code == 201, after.text
    finally:
        await server.stop()

    stored = await _stored(settings, uuid.UUID(journey.case["id"]))
    context = (
        f"seed {SEED}: killed after {kill_after:.2f} s; {len(load.acknowledged)} acknowledged, "
        f"{len(load.unacknowledged)} unacknowledged\n{server.output()[-2000:]}"
    )
    print(context)  # shown with -rP: how much load the kill interrupted
    missing = {
        record_id: load.sent[record_id][0]
        for record_id in load.acknowledged
        if record_id not in stored[load.sent[record_id][0]]
    }
    assert missing == {}, context
    incomplete = {
        record_id: wrong
        for record_id, (kind, body) in load.sent.items()
        if (wrong := _differences(kind, body, stored[kind][record_id]))
    }
    assert incomplete == {}, context

    # Each record present has exactly its audit entry and its event, nothing more or less.
    for kind, action in (("reports", "report.submitted"), ("payments", "payment.recorded")):
        key = "report_id" if kind == "reports" else "payment_id"
        events = Counter(data[key] for type_, data in stored["events"] if type_ == action)
        assert events == Counter(dict.fromkeys(stored[kind], 1)), (action, context)
        assert stored["audit"][action] == len(stored[kind]), (action, context)
    assert set(stored["reports"]) | set(stored["payments"]) <= set(load.sent) | {after.json()["id"]}
