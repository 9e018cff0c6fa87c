"""Every read and change of a person's data is traceable: who, which organisation, when,
in which request. The trail is append-only."""

import pytest

from models import database
from models.audit import AuditEntry
from tests.api.conftest import Journey


async def _trail(client, member, **params):
    response = await client.get("/api/v1/audit", params=params, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_reads_and_changes_of_a_case_are_in_the_trail_with_their_request_id(journey: Journey):
    case = await journey.open()
    read = await journey.client.get(
        journey.path, headers={**journey.partner.headers, "X-Request-ID": "phone-req-0001"}
    )
    assert read.headers["x-request-id"] == "phone-req-0001"
    await journey.client.get("/api/v1/cases", headers=journey.return_org.headers)
    await journey.plan()

    trail = await _trail(journey.client, journey.opener, case_id=case["id"])
    actions = [(entry["action"], entry["organisation_id"]) for entry in trail]
    assert actions == [
        ("case.opened", str(journey.opener.organisation_id)),
        ("case.read", str(journey.partner.organisation_id)),
        ("case.read", str(journey.return_org.organisation_id)),
        ("case.agree_plan", str(journey.opener.organisation_id)),
    ]
    assert trail[1]["request_id"] == "phone-req-0001"
    assert all(entry["actor_id"] and entry["at"] for entry in trail)


async def test_organisations_other_than_the_authority_see_only_their_own_actions(journey: Journey):
    case = await journey.open()
    await journey.client.get(journey.path, headers=journey.partner.headers)
    await journey.client.get(journey.path, headers=journey.return_org.headers)

    partner_view = await _trail(journey.client, journey.partner)
    assert [e["organisation_id"] for e in partner_view] == [str(journey.partner.organisation_id)]
    assert len(await _trail(journey.client, journey.opener, case_id=case["id"])) == 3


async def test_the_trail_filters_by_actor_and_time_and_pages(journey: Journey):
    await journey.open()
    for _ in range(3):
        await journey.client.get(journey.path, headers=journey.partner.headers)
    everything = await _trail(journey.client, journey.opener)
    assert len(everything) == 4

    first = await journey.client.get(
        "/api/v1/audit", params={"limit": 3}, headers=journey.opener.headers
    )
    rest = await journey.client.get(
        "/api/v1/audit",
        params={"limit": 3, "cursor": first.json()["next_cursor"]},
        headers=journey.opener.headers,
    )
    assert [e["at"] for e in first.json()["items"] + rest.json()["items"]] == [
        e["at"] for e in everything
    ]

    partner_reads = await _trail(journey.client, journey.opener, actor_id=everything[1]["actor_id"])
    assert len(partner_reads) == 3
    assert await _trail(journey.client, journey.opener, to=everything[0]["at"]) == []
    assert len(await _trail(journey.client, journey.opener, **{"from": everything[1]["at"]})) == 3


async def test_the_database_refuses_to_change_or_delete_audit_entries(journey: Journey):
    await journey.open()
    engine = database.current()
    with pytest.raises(Exception, match="append-only"):
        await engine.run_ddl("UPDATE audit_entry SET action = 'nothing'")
    with pytest.raises(Exception, match="append-only"):
        await engine.run_ddl("DELETE FROM audit_entry")
    assert await AuditEntry.count() == 1
