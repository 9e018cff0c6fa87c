"""The life of a prepared return, from identification to the end of support."""

from datetime import date, timedelta

import pytest

from models import clock
from models.cases.rules import add_months
from tests.api.conftest import Journey, case_body, days_ago
from tests.clock import Clock

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates


async def test_authority_opens_a_case_with_a_reference_and_a_30_day_reflection_period(
    journey: Journey,
):
    case = await journey.open(reflection_period_start=days_ago(10))

    assert case["status"] == "reflection"
    assert case["reference"].startswith(f"DK-{clock.today().year}-")
    start = date.fromisoformat(days_ago(10))
    assert case["reflection_period_end"] == (start + timedelta(days=30)).isoformat()
    assert case["person"]["given_name"] == "Blessing"


async def test_a_case_walks_from_reflection_to_completed(journey: Journey):
    await journey.open()
    assert (await journey.plan())["status"] == "planned"
    assert (await journey.depart())["status"] == "departed"
    case = await journey.arrive()
    assert case["status"] == "reintegration"
    assert case["support_ends_on"] == add_months(date.fromisoformat(days_ago(89)), 6).isoformat()
    closed = await journey.close()
    assert closed["status"] == "completed"
    assert closed["closure"]["outcome"] == "completed"


async def test_support_ends_six_months_after_arrival_on_the_months_last_day(
    journey: Journey, clock: Clock
):

    clock.move_to("2026-09-14T09:00:00Z")
    await journey.open(identified_on="2026-05-04", reflection_period_start="2026-05-04")
    await journey.plan(agreed_on="2026-06-01")
    await journey.depart(on="2026-08-30")
    case = await journey.arrive(on="2026-08-31")
    assert case["support_ends_on"] == "2027-02-28", "six months later, clamped to February's end"


async def test_closing_with_another_outcome_closes_early(journey: Journey):
    await journey.open()
    await journey.plan()
    await journey.depart()
    await journey.arrive()
    assert (await journey.close(outcome="lost_contact"))["status"] == "closed_early"


async def test_references_are_unique_when_cases_are_opened_at_once(
    client, authority, return_org, partner
):
    import asyncio

    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v1/cases", json=case_body(return_org, partner), headers=authority.headers
            )
            for _ in range(20)
        )
    )
    assert [r.status_code for r in responses] == [201] * 20
    assert len({r.json()["reference"] for r in responses}) == 20
