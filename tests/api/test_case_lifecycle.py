"""The life of a prepared return, from identification to the end of support."""

from datetime import date, timedelta

from tests.api.conftest import Journey, case_body, days_ago


async def test_authority_opens_a_case_with_a_reference_and_a_30_day_reflection_period(
    journey: Journey,
):
    case = await journey.open(reflection_period_start=days_ago(10))

    assert case["status"] == "reflection"
    assert case["reference"].startswith(f"DK-{date.today().year}-")
    start = date.fromisoformat(days_ago(10))
    assert case["reflection_period_end"] == (start + timedelta(days=30)).isoformat()
    assert case["person"]["given_name"] == "Blessing"


async def test_a_case_walks_from_reflection_to_completed(journey: Journey):
    await journey.open()
    assert (await journey.plan())["status"] == "planned"
    assert (await journey.depart())["status"] == "departed"
    case = (
        await journey.arrive(on="2026-08-31")
        if date.today() > date(2026, 8, 31)
        else await journey.arrive()
    )
    assert case["status"] == "reintegration"
    if case["arrived_on"] == "2026-08-31":
        assert case["support_ends_on"] == "2027-02-28", (
            "six months later, clamped to the month's end"
        )
    closed = await journey.close()
    assert closed["status"] == "completed"
    assert closed["closure"]["outcome"] == "completed"


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
