"""Retry storms: a phone on a bad network, or a script with an eager retry loop, sends the
same create many times at once. A unique key decides: exactly one record, exactly one
201, every other answer a 200 with the stored record; one audit entry, one event."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from models.attachments import Attachment
from models.audit import AuditEntry
from models.followup.tables import Payment, PaymentStatus, Report
from models.outbox import Event
from tests.api.conftest import Journey, payment_body, report_body
from tests.reliability.world import PNG, UPLOADS, png_upload

STORM = 50

pytestmark = pytest.mark.slow


async def _storm(send) -> list[httpx.Response]:
    return await asyncio.gather(*(send() for _ in range(STORM)))


def _one_created(responses: list[httpx.Response]) -> dict:
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: STORM - 1}, [r.text for r in responses if r.status_code >= 300]
    bodies = {json.dumps(r.json(), sort_keys=True) for r in responses}
    assert len(bodies) == 1, "every answer is the one stored record"
    return responses[0].json()


async def _events(kind: str, key: str, value: str) -> list[dict]:
    rows = await Event.select().where(Event.type == kind)
    return [row for row in rows if json.loads(row["data"]).get(key) == value]


async def _audited(case_id: str, action: str) -> int:
    return await AuditEntry.count().where(
        AuditEntry.case_id == uuid.UUID(case_id), AuditEntry.action == action
    )


async def test_a_storm_of_one_report_makes_one_report(returned: Journey):
    body = report_body()

    async def send() -> httpx.Response:
        return await returned.client.post(
            f"{returned.path}/reports", json=body, headers=returned.partner.headers
        )

    stored = _one_created(await _storm(send))
    assert stored["id"] == body["id"]
    assert await Report.count().where(Report.id == uuid.UUID(body["id"])) == 1
    assert await _audited(returned.case["id"], "report.submitted") == 1
    assert len(await _events("report.submitted", "report_id", body["id"])) == 1


async def test_a_storm_of_one_payment_makes_one_payment(returned: Journey):
    body = payment_body(note="handed over at the market")

    async def send() -> httpx.Response:
        return await returned.client.post(
            f"{returned.path}/payments", json=body, headers=returned.partner.headers
        )

    stored = _one_created(await _storm(send))
    assert (stored["id"], stored["amount"], stored["status"]) == (
        body["id"],
        "25000.00",
        "recorded",
    )
    assert await Payment.count().where(Payment.id == uuid.UUID(body["id"])) == 1
    assert await _audited(returned.case["id"], "payment.recorded") == 1
    assert len(await _events("payment.recorded", "payment_id", body["id"])) == 1


async def test_a_storm_of_one_upload_makes_one_attachment(returned: Journey, settings):
    attachment_id = uuid.uuid4()

    async def send() -> httpx.Response:
        return await returned.client.post(
            UPLOADS, headers=returned.partner.headers, **png_upload(attachment_id)
        )

    stored = _one_created(await _storm(send))
    assert (stored["id"], stored["size"], stored["media_type"]) == (
        str(attachment_id),
        len(PNG),
        "image/png",
    )
    assert await Attachment.count().where(Attachment.id == attachment_id) == 1
    files = [path for path in (settings.data_dir / "attachments").rglob("*") if path.is_file()]
    assert [path.name for path in files] == [stored["sha256"]]
    assert files[0].read_bytes() == PNG


async def test_a_storm_of_different_payments_stores_them_all(returned: Journey):
    """50 different payments at once on one case: all 201, all stored. The plan's housing
    budget (120000.00) holds exactly 40 of 3000.00: the 10 others wait for approval, however
    the requests interleave."""
    bodies = [payment_body(amount="3000.00", note=f"instalment {n}") for n in range(STORM)]
    responses = await asyncio.gather(
        *(
            returned.client.post(
                f"{returned.path}/payments", json=body, headers=returned.partner.headers
            )
            for body in bodies
        )
    )
    assert [r.status_code for r in responses] == [201] * STORM, [r.text for r in responses]

    rows = await Payment.select().where(Payment.case == uuid.UUID(returned.case["id"]))
    assert {str(row["id"]) for row in rows} == {body["id"] for body in bodies}
    statuses = Counter(row["status"] for row in rows)
    assert statuses == {PaymentStatus.recorded: 40, PaymentStatus.pending_approval: 10}
    recorded = sum(
        Decimal(row["amount_hundredths"]) / 100
        for row in rows
        if row["status"] == PaymentStatus.recorded
    )
    assert recorded == Decimal("120000.00")
    listed = await returned.client.get(
        f"{returned.path}/payments", headers=returned.partner.headers
    )
    assert {p["id"]: p["note"] for p in listed.json()["items"]} == {
        b["id"]: b["note"] for b in bodies
    }
    assert await _audited(returned.case["id"], "payment.recorded") == STORM
