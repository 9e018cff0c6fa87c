"""Every read and change of a person's data is traceable: who, which organisation, when,
in which request. The trail is append-only."""

import uuid

import pytest

from models import audit, database
from models.audit import AuditEntry
from models.cases import audit_trail
from models.organisations import Caller, OrganisationKind
from tests.api.conftest import Journey
from tests.api.people import user_of
from tests.conftest import make_member


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


async def _cases_synced_by_the_partner(journey: Journey, count: int) -> list[str]:
    """``count`` cases of the same partner, read together by one sync page."""
    opened = []
    for _ in range(count):
        opened.append((await journey.open())["id"])
    sync = await journey.client.get(
        "/api/v1/sync", headers={**journey.partner.headers, "X-Request-ID": "phone-sync-0001"}
    )
    assert sync.status_code == 200, sync.text
    assert set(opened) <= {case["id"] for case in sync.json()["cases"]}
    return opened


async def test_a_sync_page_is_one_entry_that_answers_for_each_case_it_read(journey: Journey):
    opened = await _cases_synced_by_the_partner(journey, 3)

    page_reads = await AuditEntry.count().where(AuditEntry.action == "case.read")
    assert page_reads == 1, "one entry for the page, not one per case"
    for case_id in opened:
        trail = await _trail(journey.client, journey.opener, case_id=case_id)
        assert [(e["action"], e["case_id"], e["organisation_id"]) for e in trail] == [
            ("case.opened", case_id, str(journey.opener.organisation_id)),
            ("case.read", case_id, str(journey.partner.organisation_id)),
        ]
        assert trail[1]["request_id"] == "phone-sync-0001"
    partner_view = await _trail(journey.client, journey.partner)
    assert sorted(e["case_id"] for e in partner_view) == sorted(opened)


async def test_the_trail_pages_through_an_entry_about_several_cases(journey: Journey):
    opened = await _cases_synced_by_the_partner(journey, 3)
    everything = await _trail(journey.client, journey.opener)
    assert len(everything) == 6  # three openings, three reads in one entry

    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await journey.client.get(
            "/api/v1/audit", params=params, headers=journey.opener.headers
        )
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert sorted(e["case_id"] for e in seen if e["action"] == "case.read") == sorted(opened)


async def test_newest_first_the_trail_pages_back_through_an_entry_about_several_cases(
    journey: Journey,
):
    """As the console's case page reads it: newest first, a page at a time, only some
    actions; every item once, in the reverse of the oldest-first order."""
    await _cases_synced_by_the_partner(journey, 3)
    opener = Caller(
        await user_of(journey.opener), journey.opener.organisation_id, journey.opener.kind
    )
    oldest_first = await audit_trail.trail(caller=opener, limit=None)
    assert len(oldest_first) == 6

    seen, after = [], None
    while True:
        page = await audit_trail.trail(caller=opener, after=after, limit=2, newest_first=True)
        seen += page
        if len(page) < 2:
            break
        after = (page[-1]["at"], page[-1]["id"], page[-1]["position"])
    assert seen == oldest_first[::-1]
    reads = await audit_trail.trail(
        caller=opener, actions=["case.read"], limit=None, newest_first=True
    )
    assert reads == [item for item in seen if item["action"] == "case.read"]


async def test_an_authority_sees_only_its_own_cases_in_an_entry_about_several(
    journey: Journey, client
):
    mine = await _cases_synced_by_the_partner(journey, 1)
    other = await make_member(OrganisationKind.authority)
    other_journey = Journey(client, other, journey.return_org, journey.partner)
    theirs = await _cases_synced_by_the_partner(other_journey, 1)

    reads = [e for e in await _trail(client, journey.opener) if e["action"] == "case.read"]
    assert {e["case_id"] for e in reads} == set(mine)
    assert await _trail(client, journey.opener, case_id=theirs[0]) == []


async def test_the_per_case_index_of_the_trail_is_append_only(journey: Journey):
    await _cases_synced_by_the_partner(journey, 2)
    engine = database.current()
    with pytest.raises(Exception, match="append-only"):
        await engine.run_ddl("UPDATE audit_entry SET case_ids = NULL")
    if not database.uses_postgres():
        with pytest.raises(Exception, match="contentless"):
            await engine.run_ddl("DELETE FROM audit_entry_cases")


async def test_an_id_that_differs_only_in_letter_case_is_not_answered_for_another(
    journey: Journey,
):
    case_id = uuid.UUID((await journey.open())["id"])
    token = audit.join_case_ids([case_id])
    flipped = next(i for i, c in enumerate(token) if c.isalpha())
    twin_token = token[:flipped] + token[flipped].swapcase() + token[flipped + 1 :]
    (twin,) = audit.split_case_ids(twin_token)
    other = uuid.uuid4()
    await audit.record(None, "case.read", [twin, other])

    trail = await _trail(journey.client, journey.opener, case_id=str(case_id))
    assert [e["action"] for e in trail] == ["case.opened"]
