"""A partner NGO worker reports each month how the returnee is doing, from a phone that
may send every request twice."""

import asyncio

import pytest

from tests.api.conftest import Journey, days_ago, report_body, when_run

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates


async def _post(journey: Journey, body: dict, member=None):
    member = member or journey.partner
    return await journey.client.post(f"{journey.path}/reports", json=body, headers=member.headers)


async def test_a_partner_submits_a_monthly_report(returned: Journey):
    response = await _post(returned, report_body())
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["month"] == 1 and report["narrative"] == "Shop opened; sells school uniforms"

    listed = await returned.client.get(
        f"{returned.path}/reports", headers=returned.return_org.headers
    )
    assert [r["id"] for r in listed.json()["items"]] == [report["id"]]


async def test_the_same_report_sent_again_is_stored_once(returned: Journey):
    body = report_body()
    first = await _post(returned, body)
    again = await _post(returned, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    listed = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    assert len(listed.json()["items"]) == 1


async def test_the_same_id_with_other_content_conflicts_and_names_the_stored_report(
    returned: Journey,
):
    body = report_body()
    await _post(returned, body)
    response = await _post(returned, {**body, "wellbeing": 1})
    assert response.status_code == 409
    assert response.json()["stored_id"] == body["id"]


async def test_twenty_simultaneous_identical_reports_make_one_record_and_one_201(returned: Journey):
    body = report_body()
    responses = await asyncio.gather(*(_post(returned, body) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    listed = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    assert len(listed.json()["items"]) == 1


async def test_a_second_visit_in_the_same_month_is_a_second_report(returned: Journey):
    await _post(returned, report_body())
    assert (await _post(returned, report_body(visited_on=days_ago(55)))).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"month": 0}, "month"),
        ({"month": 7}, "month"),
        ({"contact": "letter"}, "contact"),
        ({"wellbeing": 6}, "wellbeing"),
        ({"visited_on": lambda: days_ago(80)}, "visited_on"),
        ({"visited_on": lambda: days_ago(-3)}, "visited_on"),
        ({"narrative": "x" * 4001}, "narrative"),
        ({"mood": "good"}, "mood"),
        ({"children_in_school": "yes"}, "children_in_school"),
    ],
)
async def test_bad_reports_are_refused_naming_the_field_and_nothing_is_written(
    returned: Journey, change, field
):
    response = await _post(returned, report_body(**when_run(change)))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    listed = await returned.client.get(f"{returned.path}/reports", headers=returned.partner.headers)
    assert listed.json()["items"] == []


async def test_reports_wait_for_the_arrival(journey: Journey):
    await journey.open()
    assert (await _post(journey, report_body())).status_code == 409


async def test_the_authority_may_read_but_not_submit_reports(returned: Journey):
    assert (await _post(returned, report_body(), member=returned.opener)).status_code == 403
    listed = await returned.client.get(f"{returned.path}/reports", headers=returned.opener.headers)
    assert listed.status_code == 200


async def test_another_partner_does_not_reach_the_reports(returned: Journey, other_partner):
    assert (await _post(returned, report_body(), member=other_partner)).status_code == 404
