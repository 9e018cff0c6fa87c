"""The plan's rules, each refused with a problem that names the field."""

from datetime import date, timedelta

import pytest

from models import clock
from tests.api.conftest import Journey, case_body, days_ago
from tests.clock import Clock

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates


def fields_of(response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [error["field"] for error in response.json()["errors"]]


async def test_a_dublin_case_cannot_be_enrolled(client, authority, return_org, partner):
    body = case_body(return_org, partner, dublin_case=True)
    response = await client.post("/api/v1/cases", json=body, headers=authority.headers)
    assert response.status_code == 422
    assert fields_of(response) == ["dublin_case"]


@pytest.mark.parametrize(
    ("residence_status", "opener", "status"),
    [
        ("asylum_seeker", "authority", 201),
        ("no_legal_residence", "authority", 201),
        ("legal_residence", "authority", 403),
        ("legal_residence", "centre", 201),
        ("asylum_seeker", "centre", 403),
        ("no_legal_residence", "centre", 403),
        ("asylum_seeker", "return_org", 403),
        ("legal_residence", "partner", 403),
    ],
)
async def test_residence_status_decides_who_opens_the_case(
    client, authority, centre, return_org, partner, residence_status, opener, status
):

    member = {
        "authority": authority,
        "centre": centre,
        "return_org": return_org,
        "partner": partner,
    }[opener]
    body = case_body(return_org, partner, residence_status=residence_status)
    response = await client.post("/api/v1/cases", json=body, headers=member.headers)
    assert response.status_code == status, response.text


async def test_return_and_partner_ids_must_name_organisations_of_that_kind(
    client, authority, return_org, partner
):
    body = case_body(partner, return_org)  # swapped
    response = await client.post("/api/v1/cases", json=body, headers=authority.headers)
    assert response.status_code == 422
    assert sorted(fields_of(response)) == ["partner_org_id", "return_org_id"]


async def test_countries_must_be_iso_codes(client, authority, return_org, partner):
    body = case_body(return_org, partner, origin_country="XX")
    response = await client.post("/api/v1/cases", json=body, headers=authority.headers)
    assert response.status_code == 422
    assert fields_of(response) == ["origin_country"]


async def test_a_date_is_in_the_future_only_once_it_is_tomorrow_everywhere(
    client, authority, return_org, partner, clock: Clock
):
    clock.move_to("2026-12-31T22:00:00Z")  # already 1 January 2027 in Kiribati (UTC+14)
    today_somewhere = case_body(
        return_org, partner, identified_on="2027-01-01", reflection_period_start="2027-01-01"
    )
    response = await client.post("/api/v1/cases", json=today_somewhere, headers=authority.headers)
    assert response.status_code == 201, response.text

    tomorrow_everywhere = case_body(return_org, partner, identified_on="2027-01-02")
    response = await client.post(
        "/api/v1/cases", json=tomorrow_everywhere, headers=authority.headers
    )
    assert response.status_code == 422
    assert fields_of(response) == ["identified_on"]


async def test_reflection_period_can_be_extended_up_to_120_days_in_all(journey: Journey):
    case = await journey.open(reflection_period_start=days_ago(10))
    extend = f"{journey.path}/reflection-extensions"
    headers = journey.opener.headers

    first = await journey.client.post(
        extend, json={"days": 60, "reason": "cooperates with police"}, headers=headers
    )
    assert first.status_code == 200
    assert (
        first.json()["reflection_period_end"]
        == (date.fromisoformat(case["reflection_period_start"]) + timedelta(days=90)).isoformat()
    )
    assert first.json()["reflection_extensions"][0]["reason"] == "cooperates with police"

    too_long = await journey.client.post(
        extend, json={"days": 31, "reason": "trial"}, headers=headers
    )
    assert too_long.status_code == 422
    assert fields_of(too_long) == ["days"]

    last = await journey.client.post(extend, json={"days": 30, "reason": "trial"}, headers=headers)
    assert last.status_code == 200
    assert len(last.json()["reflection_extensions"]) == 2


async def test_repeating_an_extension_changes_nothing(journey: Journey):
    await journey.open(reflection_period_start=days_ago(10))
    extend = f"{journey.path}/reflection-extensions"
    body = {"days": 30, "reason": "special reasons"}
    first = await journey.client.post(extend, json=body, headers=journey.opener.headers)
    again = await journey.client.post(extend, json=body, headers=journey.opener.headers)
    assert again.status_code == 200
    assert again.json() == first.json()


async def test_a_minor_needs_a_representative_before_the_plan_is_agreed(journey: Journey):
    sixteen = (clock.today() - timedelta(days=16 * 365)).isoformat()
    person = {"given_name": "Ada", "family_name": "Eze", "date_of_birth": sixteen, "sex": "female"}
    await journey.open(person=person)

    response = await journey.client.put(
        f"{journey.path}/plan",
        json={"agreed_on": days_ago(100), "goals": "School", "budget": []},
        headers=journey.opener.headers,
    )
    assert response.status_code == 422
    assert fields_of(response) == ["representative"]


async def test_a_minor_with_a_custodian_gets_a_plan(journey: Journey):
    sixteen = (clock.today() - timedelta(days=16 * 365)).isoformat()
    person = {"given_name": "Ada", "family_name": "Eze", "date_of_birth": sixteen, "sex": "female"}
    await journey.open(person=person, representative={"name": "Grace Obi", "role": "custodian"})
    assert (await journey.plan())["status"] == "planned"


async def test_the_plan_cannot_be_agreed_before_identification(journey: Journey):
    await journey.open()
    response = await journey.client.put(
        f"{journey.path}/plan",
        json={"agreed_on": days_ago(200), "goals": "x"},
        headers=journey.opener.headers,
    )
    assert response.status_code == 422
    assert fields_of(response) == ["agreed_on"]


async def test_budget_lines_need_real_currencies_and_positive_amounts(journey: Journey):
    await journey.open()
    budget = [
        {"category": "housing", "amount": "0.00", "currency": "NGN"},
        {"category": "food", "amount": "10.00", "currency": "ZZZ"},
    ]
    response = await journey.client.put(
        f"{journey.path}/plan",
        json={"agreed_on": days_ago(100), "goals": "x", "budget": budget},
        headers=journey.opener.headers,
    )
    assert response.status_code == 422
    assert sorted(fields_of(response)) == ["budget[0].amount", "budget[1].currency"]


async def test_a_second_different_plan_conflicts(journey: Journey):
    await journey.open()
    await journey.plan()
    assert (await journey.plan())["status"] == "planned", "the same plan again is fine"
    response = await journey.client.put(
        f"{journey.path}/plan",
        json={"agreed_on": days_ago(99), "goals": "other"},
        headers=journey.opener.headers,
    )
    assert response.status_code == 409


async def test_departure_needs_a_planned_case(journey: Journey):
    await journey.open()
    response = await journey.client.post(
        f"{journey.path}/departure",
        json={"departed_on": days_ago(5)},
        headers=journey.return_org.headers,
    )
    assert response.status_code == 409


async def test_arrival_cannot_come_before_departure(journey: Journey):
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(20))
    response = await journey.client.post(
        f"{journey.path}/arrival",
        json={"arrived_on": days_ago(21)},
        headers=journey.partner.headers,
    )
    assert response.status_code == 422
    assert fields_of(response) == ["arrived_on"]


async def test_arrival_opens_a_six_month_support_window(journey: Journey):
    await journey.open(identified_on="2026-01-10", reflection_period_start="2026-01-10")
    await journey.plan(agreed_on="2026-02-01")
    await journey.depart(on="2026-03-01")
    case = await journey.arrive(on="2026-03-02")
    assert case["support_ends_on"] == "2026-09-02"


async def test_repeating_a_transition_with_other_data_conflicts(journey: Journey):
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(30))
    again = await journey.client.post(
        f"{journey.path}/departure",
        json={"departed_on": days_ago(30)},
        headers=journey.return_org.headers,
    )
    assert again.status_code == 200
    other = await journey.client.post(
        f"{journey.path}/departure",
        json={"departed_on": days_ago(29)},
        headers=journey.return_org.headers,
    )
    assert other.status_code == 409


async def test_a_case_can_be_cancelled_before_departure_but_not_after(journey: Journey):
    await journey.open()
    await journey.plan()
    cancel = f"{journey.path}/cancellation"
    response = await journey.client.post(
        cancel, json={"reason": "chose to stay"}, headers=journey.opener.headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation"]["reason"] == "chose to stay"

    departed = Journey(journey.client, journey.opener, journey.return_org, journey.partner)
    await departed.open()
    await departed.plan()
    await departed.depart()
    late = await journey.client.post(
        f"{departed.path}/cancellation", json={"reason": "x"}, headers=journey.opener.headers
    )
    assert late.status_code == 409


async def test_closure_needs_reintegration(journey: Journey):
    await journey.open()
    response = await journey.client.post(
        f"{journey.path}/closure",
        json={"outcome": "completed", "closed_on": days_ago(1)},
        headers=journey.return_org.headers,
    )
    assert response.status_code == 409
