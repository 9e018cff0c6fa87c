"""The schema is the one list of sealed columns: every value sealed lives in a column
declared ``secret``, every such column holds only sealed values, key rotation seals every
one of them again (webhook secrets, frozen reports and review comments too), and a value is
bound to its row.
"""

from __future__ import annotations

import importlib
import re
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from models import keys, sealing, vault
from models.errors import ConfigurationError
from models.events.tables import Webhook
from models.events.webhooks import secret_of
from models.followup.tables import Report
from models.piccolo_app import APP_CONFIG
from models.settings import Settings
from tests.api.conftest import Journey, days_ago, payment_body, report_body
from tests.conftest import Member

SEALED = re.compile(r"^enc[12]:[0-9a-f]{8}:[A-Za-z0-9_-]+$")


async def _world(journey: Journey, centre: Member) -> None:
    """A case with every kind of personal data the tracker keeps, and an erased one."""
    client, opener, return_org, partner = (
        journey.client,
        journey.opener,
        journey.return_org,
        journey.partner,
    )
    await journey.open(
        representative={"name": "Grace Obi", "role": "custodian"},
        reflection_period_start=days_ago(160),
        identified_on=days_ago(160),
    )
    extended = await client.post(
        f"{journey.path}/reflection-extensions",
        json={"days": 10, "reason": "she asked for time"},
        headers=opener.headers,
    )
    assert extended.status_code == 200, extended.text
    await journey.plan(agreed_on=days_ago(100))
    await journey.depart(on=days_ago(90))
    await journey.arrive(on=days_ago(89))
    report = await client.post(
        f"{journey.path}/reports",
        json=report_body(visited_on=days_ago(80), needs="rent", narrative="doing well"),
        headers=partner.headers,
    )
    assert report.status_code == 201, report.text
    to_mother = payment_body(
        paid_on=days_ago(80),
        note="cash at the office",
        recipient="relative",
        relative_justification="her mother keeps the shop",
    )
    paid = await client.post(f"{journey.path}/payments", json=to_mother, headers=partner.headers)
    assert paid.status_code == 201, paid.text
    rejected = await client.post(
        f"{journey.path}/payments/{to_mother['id']}/rejection",
        json={"reason": "not assessed"},
        headers=return_org.headers,
    )
    assert rejected.status_code == 200, rejected.text
    await journey.close(on=days_ago(1))
    submitted = await client.post(
        f"{journey.path}/outcome-report/submission",
        json={"note": "month 4 not visited: floods"},
        headers=return_org.headers,
    )
    assert submitted.status_code == 200, submitted.text
    returned = await client.post(
        f"{journey.path}/outcome-report/review",
        json={"decision": "returned", "comment": "ask why month 4 was not visited"},
        headers=opener.headers,
    )
    assert returned.status_code == 200, returned.text
    draft = await client.post(
        "/api/v1/stories",
        json={
            "case_id": journey.case["id"],
            "title": "A shop of her own",
            "text": "She opened a tailoring shop.",
            "language": "en",
        },
        headers=centre.headers,
    )
    assert draft.status_code == 201, draft.text
    webhook = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["case.opened"], "secret": "s" * 32},
        headers=opener.headers,
    )
    assert webhook.status_code == 201, webhook.text

    erased = Journey(client, opener, return_org, partner)
    await erased.open()
    erasure = await client.post(
        f"{erased.path}/erasure", json={"reason": "asked on 3 May"}, headers=opener.headers
    )
    assert erasure.status_code == 200, erasure.text


async def _every_text_value() -> list[tuple[str, str, str, Any]]:
    """(table, column, kind, value) of every stored string, straight from the database."""
    found = []
    for table in APP_CONFIG.table_classes:
        rows = await table.raw(f"SELECT * FROM {table._meta.tablename}")
        secret = set(sealing.sealed_columns(table))
        for row in rows:
            for column, value in row.items():
                if isinstance(value, str):
                    kind = "sealed column" if column in secret else "plain column"
                    found.append((table._meta.tablename, column, kind, value))
    return found


async def test_every_sealed_value_is_in_a_sealed_column_and_every_sealed_column_is_sealed(
    journey: Journey, centre: Member
):
    await _world(journey, centre)
    values = await _every_text_value()
    misplaced = [(t, c) for t, c, kind, v in values if kind == "plain column" and SEALED.match(v)]
    assert misplaced == [], "sealed values in columns the schema does not declare secret"
    in_clear = [
        (t, c) for t, c, kind, v in values if kind == "sealed column" and not SEALED.match(v)
    ]
    assert in_clear == [], "values in clear in sealed columns"
    sealed_where = {(t, c) for t, c, kind, _ in values if kind == "sealed column"}
    assert {
        ("person", "given_name"),
        ("person", "representative_name"),
        ("return_case", "plan_goals"),
        ("return_case", "closure_note"),
        ("return_case", "erasure_reason"),
        ("reflection_extension", "reason"),
        ("followup_report", "narrative"),
        ("support_payment", "relative_justification"),
        ("support_payment", "rejection_reason"),
        ("frozen_outcome_report", "body"),
        ("outcome_review_step", "comment"),
        ("webhook", "secret"),
        ("story", "title"),
        ("story", "text"),
    } <= sealed_where


async def test_rotation_seals_every_sealed_column_again_and_drops_the_old_key(
    journey: Journey, centre: Member, settings: Settings
):
    await _world(journey, centre)
    old_id = vault.current().primary_id

    assert await keys.rotate(settings) > 0

    new_id = vault.current().primary_id
    assert new_id != old_id
    sealed = [v for _, _, kind, v in await _every_text_value() if kind == "sealed column"]
    assert sealed and all(v.split(":")[1] == new_id for v in sealed)
    (webhook,) = await Webhook.select()
    assert secret_of(webhook) == "s" * 32, "deliveries can still be signed"
    read = await journey.client.get(journey.path, headers=journey.opener.headers)
    assert read.json()["representative"]["name"] == "Grace Obi"


async def test_rotation_refuses_while_a_server_uses_the_database(
    settings: Settings, journey: Journey
):
    await journey.open()
    async with AsyncTestClient(create_app(settings)) as running:
        assert (await running.get("/health")).status_code == 200
        with pytest.raises(ConfigurationError, match="stop them"):
            await keys.rotate(settings)
    assert await keys.rotate(settings) >= 1  # once it stopped


async def test_a_sealed_value_copied_into_another_row_of_the_case_does_not_open(
    returned: Journey,
):
    """Two reports of one case: the narrative of one, pasted into the other by someone who
    can write the database, is refused; the API answers with a problem, not a bare 500."""
    first, second = report_body(narrative="first visit"), report_body(narrative="second visit")
    for body in (first, second):
        posted = await returned.client.post(
            f"{returned.path}/reports", json=body, headers=returned.partner.headers
        )
        assert posted.status_code == 201, posted.text
    stolen = await Report.select(Report.narrative).where(Report.id == uuid.UUID(first["id"]))
    await Report.update({Report.narrative: stolen[0]["narrative"]}).where(
        Report.id == uuid.UUID(second["id"])
    )
    answer = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert "visit" not in answer.text


async def test_values_sealed_by_the_first_scheme_are_sealed_again_bound_to_their_row(
    returned: Journey, settings: Settings
):
    """Databases from before values were bound to rows: the migration seals them again."""
    body = report_body(narrative="an old narrative")
    posted = await returned.client.post(
        f"{returned.path}/reports", json=body, headers=returned.partner.headers
    )
    assert posted.status_code == 201
    report_id, case_id = uuid.UUID(body["id"]), uuid.UUID(returned.case["id"])
    legacy = (
        vault.current()
        .seal("an old narrative", context=f"followup_report.narrative:{case_id}")
        .replace(vault.SCHEME, vault.LEGACY_SCHEME, 1)
    )
    await Report.update({Report.narrative: legacy}).where(Report.id == report_id)
    read = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    assert read.json()["items"][0]["narrative"] == "an old narrative", "the old scheme opens"

    migration = importlib.import_module("models.migrations.tracker_2026_12_01t22_00_00_000000")
    await (await migration.forwards()).run()

    (row,) = await Report.select(Report.narrative).where(Report.id == report_id)
    assert row["narrative"].startswith(f"{vault.SCHEME}:")
    read = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    assert read.json()["items"][0]["narrative"] == "an old narrative"
