"""A partner's phone learns what to do (tasks) and what changed (sync) over a bad network."""

import asyncio

import pytest

from models import changes, database
from models.cases.tables import Case
from tests.api.conftest import Journey, days_ago, payment_body, report_body

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates


async def test_months_without_a_report_become_overdue_tasks(returned: Journey):
    await returned.client.post(
        f"{returned.path}/reports", json=report_body(month=1), headers=returned.partner.headers
    )

    tasks = (await returned.client.get("/api/v1/tasks", headers=returned.partner.headers)).json()[
        "items"
    ]
    by_month = {task["month"]: task for task in tasks if task["case_id"] == returned.case["id"]}
    assert sorted(by_month) == [2, 3, 4, 5, 6]
    assert by_month[2]["overdue"] is True, "month 2 ended 14 days ago, past the 7-day grace"
    assert by_month[3]["overdue"] is False
    assert by_month[2]["kind"] == "monthly_report"


async def test_tasks_are_visible_to_iom_and_the_authority_but_not_to_another_partner(
    returned: Journey, other_partner
):

    for member in (returned.return_org, returned.opener):
        assert (await returned.client.get("/api/v1/tasks", headers=member.headers)).json()["items"]
    assert (await returned.client.get("/api/v1/tasks", headers=other_partner.headers)).json()[
        "items"
    ] == []


async def test_tasks_of_closed_cases_disappear(returned: Journey):
    await returned.close(outcome="lost_contact")
    assert (await returned.client.get("/api/v1/tasks", headers=returned.partner.headers)).json()[
        "items"
    ] == []


async def _sync(journey: Journey, since=None, member=None, limit=50):
    params = {"limit": limit, **({"since": since} if since else {})}
    response = await journey.client.get(
        "/api/v1/sync", params=params, headers=(member or journey.partner).headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_sync_brings_everything_then_only_what_changed(returned: Journey):
    await returned.client.post(
        f"{returned.path}/reports", json=report_body(), headers=returned.partner.headers
    )
    first = await _sync(returned)
    assert [c["id"] for c in first["cases"]] == [returned.case["id"]]
    assert len(first["reports"]) == 1 and first["more"] is False
    assert first["tasks"], "the tasks of the synced case come along"

    nothing = await _sync(returned, first["next"])
    assert (nothing["cases"], nothing["reports"], nothing["payments"]) == ([], [], [])

    payment = payment_body()
    await returned.client.post(
        f"{returned.path}/payments", json=payment, headers=returned.partner.headers
    )
    after = await _sync(returned, first["next"])
    assert [p["id"] for p in after["payments"]] == [payment["id"]]


async def test_sync_pages_through_changes_with_more(returned: Journey):
    for _ in range(4):
        await returned.client.post(
            f"{returned.path}/reports", json=report_body(), headers=returned.partner.headers
        )
    seen, since, rounds = [], None, 0
    while True:
        page = await _sync(returned, since, limit=2)
        seen += [r["id"] for r in page["reports"]]
        since, rounds = page["next"], rounds + 1
        if not page["more"]:
            break
    assert len(seen) == 4 and len(set(seen)) == 4 and rounds == 3


async def test_approval_changes_reach_the_phone(returned: Journey):
    body = payment_body(category="business")
    await returned.client.post(
        f"{returned.path}/payments", json=body, headers=returned.partner.headers
    )
    token = (await _sync(returned))["next"]
    await returned.client.post(
        f"{returned.path}/payments/{body['id']}/approval", headers=returned.return_org.headers
    )
    changed = await _sync(returned, token)
    assert [(p["id"], p["status"]) for p in changed["payments"]] == [(body["id"], "approved")]


async def test_a_reassigned_case_is_reported_as_removed(returned: Journey, other_partner):
    token = (await _sync(returned))["next"]
    etag = (await returned.client.get(returned.path, headers=returned.opener.headers)).headers[
        "etag"
    ]
    await returned.client.patch(
        returned.path,
        json={"partner_org_id": str(other_partner.organisation_id)},
        headers={**returned.opener.headers, "If-Match": etag},
    )
    gone = await _sync(returned, token)
    assert gone["removed"] == [returned.case["id"]]
    assert gone["cases"] == []
    assert [c["id"] for c in (await _sync(returned, member=other_partner))["cases"]] == [
        returned.case["id"]
    ]


async def test_a_change_committed_while_a_phone_syncs_is_never_skipped(returned: Journey):
    """A writer takes its change number, then is slow to commit; a second writer commits
    after it. A sync in between must not move past the first writer's number."""
    case_id = returned.case["id"]
    baseline = (await _sync(returned))["next"]
    slow_writer_holds = asyncio.Event()

    async def slow_writer():
        async with database.transaction():
            number = await changes.next_number()
            await Case.update({Case.change_seq: number}).where(Case.id == case_id)
            slow_writer_holds.set()
            await asyncio.sleep(0.6)  # then commits, on its own

    slow = asyncio.create_task(slow_writer())
    await slow_writer_holds.wait()
    fast_payment = payment_body()
    fast = asyncio.create_task(
        returned.client.post(
            f"{returned.path}/payments", json=fast_payment, headers=returned.partner.headers
        )
    )
    await asyncio.sleep(0.2)  # the second writer now waits for the first

    during = await _sync(returned, baseline)
    assert fast_payment["id"] not in [p["id"] for p in during["payments"]]
    assert case_id not in [c["id"] for c in during["cases"]]

    await slow
    assert (await fast).status_code == 201
    after = await _sync(returned, during["next"])
    assert case_id in [c["id"] for c in after["cases"]], "the slow writer's change was skipped"
    assert fast_payment["id"] in [p["id"] for p in after["payments"]]


async def test_a_forged_sync_token_is_refused(returned: Journey):
    response = await returned.client.get(
        "/api/v1/sync", params={"since": "s1.zzz"}, headers=returned.partner.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "since"


def test_report_dates_used_here_fall_in_the_window():
    assert days_ago(60) > days_ago(75)


async def test_a_centre_drops_a_story_case_when_consent_is_withdrawn(returned: Journey, centre):
    await returned.close()
    token = (await _sync(returned, member=centre))["next"]
    etag = (await returned.client.get(returned.path, headers=returned.opener.headers)).headers[
        "etag"
    ]
    await returned.client.patch(
        returned.path,
        json={"consent": {"story_use": False}},
        headers={**returned.opener.headers, "If-Match": etag},
    )
    assert (await _sync(returned, token, member=centre))["removed"] == [returned.case["id"]]
