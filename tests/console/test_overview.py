"""A partner's coordinator in Benin City reads their organisation's cases, the tasks open
and the months overdue — and nothing of another partner's cases. Reports are entered in
the field app, so the overview changes nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
import pytest

from models import clock
from models.cases.records import get_case
from models.errors import NotFound
from models.followup.due import month_due_on, month_of_support
from models.organisations import Caller, OrganisationKind
from tests.api.conftest import Journey, days_ago, report_body
from tests.console.browser import Staff, new_staff, signed_in

#: The months overdue depend on today, as the API's follow-up tests do.
pytestmark = pytest.mark.dates


async def arrived_75_days_ago(journey: Journey) -> dict:
    """A case whose returnee arrived 75 days ago: months 1 and 2 of support are over."""
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(76))
    return await journey.arrive(on=days_ago(75))


def coordinator_of(partner) -> Staff:
    return new_staff(
        OrganisationKind.partner,
        coordinator=True,
        organisation_id=partner.organisation_id,
        name="Grace Obi",
    )


async def test_a_coordinator_sees_their_cases_tasks_and_overdue_months_but_not_another_partners(
    client: httpx.AsyncClient, authority, return_org, partner, other_partner
):
    ours = await arrived_75_days_ago(Journey(client, authority, return_org, partner))
    theirs = await arrived_75_days_ago(Journey(client, authority, return_org, other_partner))
    reported = await client.post(
        f"/api/v1/cases/{ours['id']}/reports",
        json=report_body(month=1, visited_on=days_ago(50)),
        headers=partner.headers,
    )
    assert reported.status_code == 201, reported.text
    grace = await coordinator_of(partner)

    async with signed_in(client, grace) as browser:
        page = await browser.get("/console/overview")
        assert (await browser.get(f"/console/cases/{theirs['id']}")).status_code == 404

    assert page.status_code == 200 and len(page.content) < 100_000
    text = re.sub(r"\s+", " ", page.text)
    assert ours["reference"] in text and "Blessing Okafor" in text
    assert "Reintegration" in text and "Month 3 of 6" in text
    arrived = clock.today() - timedelta(days=75)
    assert f"Month 3, by {month_due_on(arrived, 3).isoformat()}" in text
    assert f"the report of month 2 was due on {month_due_on(arrived, 2).isoformat()}" in text
    assert "the report of month 1" not in text, "month 1 has its report"
    assert "Report of month 2" in text and "Overdue" in text
    assert theirs["reference"] not in text and theirs["id"] not in text
    case_links = set(re.findall(r'href="/console/cases/([0-9a-f-]+)"', page.text))
    assert case_links == {ours["id"]}
    assert 'href="/app/"' in page.text
    # The coordinator's own reads of another partner's case: not found, as for a missing id.
    caller = Caller(grace.user_id, grace.organisation_id, OrganisationKind.partner)
    with pytest.raises(NotFound):
        await get_case(caller=caller, case_id=uuid.UUID(theirs["id"]))


async def test_the_overview_changes_nothing(client: httpx.AsyncClient, partner):
    grace = await coordinator_of(partner)
    async with signed_in(client, grace) as browser:
        page = await browser.get("/console/overview")
    actions = re.findall(r'<form[^>]*action="([^"]+)"[^>]*method="post"', page.text)
    actions += re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page.text)
    assert set(actions) <= {"/console/language"}, "only the language switch"
    assert "entered in the field app" in page.text


@pytest.mark.parametrize(
    ("kind", "coordinator"),
    [
        (OrganisationKind.partner, False),
        (OrganisationKind.return_org, True),
        (OrganisationKind.centre, True),
    ],
)
async def test_the_overview_is_for_coordinators_of_partners_only(
    client: httpx.AsyncClient, kind, coordinator
):
    person = await new_staff(kind, coordinator=coordinator, name="Amaka Eze")
    async with signed_in(client, person) as browser:
        home = await browser.get("/console/")
        assert 'href="/console/overview"' not in home.text
        refused = await browser.get("/console/overview")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 3, 1), None),
        (date(2026, 3, 2), 1),
        (date(2026, 4, 1), 1),
        (date(2026, 4, 2), 2),
        (date(2026, 9, 1), 6),
        (date(2026, 9, 2), None),
    ],
)
def test_the_month_of_support_runs_as_its_report_falls_due(today, month):
    """Month N is the one whose report is due at its end (``month_due_on``)."""
    assert month_of_support(date(2026, 3, 2), today=today) == month
