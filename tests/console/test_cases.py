"""A case officer at the Immigration Service finds, opens and follows cases in the console:
the list and its filters, the form that opens a case, and the case page with its actions."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest

from models.followup.due import month_due_on
from models.organisations import OrganisationKind, add_user
from tests.api.conftest import Journey, days_ago, payment_body, report_body
from tests.api.test_outcome_review import closed_case, review, submit
from tests.conftest import Member, make_member
from tests.console.browser import Browser, Staff, new_staff


@dataclass
class Office:
    """A signed-in case officer, and the organisations a return is carried out with."""

    officer: Staff
    browser: Browser
    authority: Member
    return_org: Member
    partner: Member

    def journey(self) -> Journey:
        return Journey(self.browser.client, self.authority, self.return_org, self.partner)


@pytest.fixture
async def office(client: httpx.AsyncClient) -> Office:
    officer = await new_staff(OrganisationKind.authority)
    _, token = await add_user(organisation_id=officer.organisation_id, name="Jens Berg")
    browser = Browser(client)
    await browser.sign_in(officer)
    return Office(
        officer,
        browser,
        Member(OrganisationKind.authority, officer.organisation_id, token),
        await make_member(OrganisationKind.return_org, country="CH"),
        await make_member(OrganisationKind.partner, country="NG"),
    )


def errors_of(page: httpx.Response) -> tuple[list[str], list[str]]:
    """The fields the error summary links to, and the fields with an error beside them."""
    summary = page.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary), re.findall(r'id="([^"]+)-error"', page.text)


def case_form(office: Office, **changes: str) -> dict[str, str]:
    return {
        "person.given_name": "Blessing",
        "person.family_name": "Okafor",
        "person.date_of_birth": "1999-04-02",
        "person.sex": "female",
        "person.nationality": "ng",
        "origin_country": "ng",
        "residence_status": "asylum_seeker",
        "dublin_case": "no",
        "exploitation": "prostitution",
        "identified_on": days_ago(20),
        "reflection_period_start": days_ago(20),
        "return_org_id": str(office.return_org.organisation_id),
        "partner_org_id": str(office.partner.organisation_id),
        "consent.data_sharing": "yes",
        **changes,
    }


async def test_a_case_officer_opens_a_case_with_a_mistake_fixes_it_and_lands_on_its_page(
    office: Office,
):
    form = await office.browser.get("/console/cases/new")
    assert form.status_code == 200
    assert "120" in form.text and "30" in form.text, "the reflection period's rule is told"
    assert 'value="legal_residence"' not in form.text, "the centre opens legal residence"

    mistaken = await office.browser.submit(
        "/console/cases/new",
        **case_form(office, origin_country="", **{"person.family_name": ""}),
    )
    assert mistaken.status_code == 422
    in_form_order = ["person.family_name", "origin_country"]
    assert errors_of(mistaken) == (in_form_order, in_form_order)
    assert 'value="Blessing"' in mistaken.text, "what was typed is kept"

    minor = await office.browser.get(f"/console/cases/new?person.date_of_birth={days_ago(5000)}")
    assert 'id="minor-notice" aria-live="polite"><div class="warning-text">' in minor.text
    adult = await office.browser.get(f"/console/cases/new?person.date_of_birth={days_ago(7000)}")
    assert 'id="minor-notice" aria-live="polite"></div>' in adult.text

    dublin = await office.browser.submit(
        "/console/cases/new", **case_form(office, dublin_case="yes")
    )
    assert dublin.status_code == 422 and errors_of(dublin) == (["dublin_case"], ["dublin_case"])

    opened = await office.browser.submit("/console/cases/new", **case_form(office))
    assert opened.status_code == 303
    page = await office.browser.get(opened.headers["location"])
    assert page.status_code == 200
    assert "Blessing Okafor" in page.text and re.search(r"DK-\d{4}-\d{4}", page.text)


async def test_the_list_filters_by_status_country_and_months_overdue_and_finds_by_reference(
    office: Office,
):
    waiting = await office.journey().open()
    thai = office.journey()
    await thai.open(origin_country="TH")
    await thai.plan()
    await thai.depart(on=days_ago(76))
    await thai.arrive(on=days_ago(75))  # months 1 and 2 over, neither reported
    reporting = office.journey()
    await reporting.open()
    await reporting.plan()
    await reporting.depart(on=days_ago(76))
    await reporting.arrive(on=days_ago(75))
    sent = await office.browser.client.post(
        f"{reporting.path}/reports", json=report_body(), headers=office.partner.headers
    )
    assert sent.status_code == 201

    async def found(query: str) -> set[str]:
        page = await office.browser.get(f"/console/cases?{query}")
        assert page.status_code == 200
        return set(re.findall(r">(DK-\d{4}-\d{4})</a>", page.text))

    listed = (await office.browser.get("/console/cases?country=TH")).text
    assert '<strong class="overdue">2 (måned 1, 2)</strong>' in listed, "the same rule, shown"
    every = {waiting["reference"], thai.case["reference"], reporting.case["reference"]}
    assert await found("") == every
    assert await found("status=reintegration") == every - {waiting["reference"]}
    assert await found("country=th") == {thai.case["reference"]}
    assert await found("overdue=2") == {thai.case["reference"]}
    assert await found("overdue=1") == {thai.case["reference"], reporting.case["reference"]}
    assert await found("status=reintegration&country=NG&overdue=1") == {reporting.case["reference"]}
    assert await found(f"q={waiting['reference'][-6:].lower()}") == {waiting["reference"]}

    wrong = await office.browser.get("/console/cases?country=XYZ&overdue=9")
    assert wrong.status_code == 422
    assert errors_of(wrong) == (["country", "overdue"], ["country", "overdue"])
    swapped = await office.browser.client.get(
        "/console/cases?country=XYZ", headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 200, "htmx swaps in the page with its errors"
    assert errors_of(swapped) == (["country"], ["country"])


async def test_a_list_page_is_under_100_kb_and_pages_on(office: Office):
    journey = office.journey()
    references = {(await journey.open())["reference"] for _ in range(30)}
    first = await office.browser.get("/console/cases")
    assert first.status_code == 200 and len(first.content) < 100_000
    shown = set(re.findall(r">(DK-\d{4}-\d{4})</a>", first.text))
    following = re.search(r'<a href="([^"]+)" rel="next">', first.text).group(1)
    second = await office.browser.get(following.replace("&amp;", "&"))
    shown |= set(re.findall(r">(DK-\d{4}-\d{4})</a>", second.text))
    assert shown == references


async def test_a_case_officer_extends_reflection_agrees_the_plan_holds_and_erases(
    office: Office,
):
    case = await office.journey().open()
    path = f"/console/cases/{case['id']}"

    too_long = await office.browser.submit(
        path, action=f"{path}/reflection-extension", days="100", reason="Cooperates"
    )
    assert too_long.status_code == 422 and errors_of(too_long) == (["days"], ["days"])
    extended = await office.browser.submit(
        path, action=f"{path}/reflection-extension", days="30", reason="Cooperates on return"
    )
    assert extended.status_code == 303
    page = await office.browser.get(path)
    assert "Cooperates on return" in page.text

    planned = await office.browser.submit(
        path,
        action=f"{path}/plan",
        agreed_on=days_ago(100),
        goals="Open a tailoring shop in Benin City",
        **{"budget[0].category": "housing", "budget[0].amount": "120000.00"},
        **{"budget[0].currency": "ngn"},
    )
    assert planned.status_code == 303
    page = await office.browser.get(path)
    assert "Open a tailoring shop" in page.text and "120000.00 NGN" in page.text
    assert f'action="{path}/plan"' not in page.text, "a plan is agreed once"

    held = await office.browser.submit(path, action=f"{path}/legal-hold", hold="yes")
    assert held.status_code == 303
    page = await office.browser.get(path)
    assert 'class="tag tag-hold"' in page.text
    timeline = page.text.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Ændrede sagen" in timeline, "the hold is a change of the case, from its audit trail"
    assert f'action="{path}/erasure"' not in page.text, "no erasure under legal hold"
    await office.browser.submit(path, action=f"{path}/legal-hold", hold="no")

    wrong = await office.browser.submit(
        path, action=f"{path}/erasure", reference="DK-1999-0001", **{"erase.reason": "Asked"}
    )
    assert wrong.status_code == 422 and errors_of(wrong) == (["reference"], ["reference"])
    assert "Blessing" in (await office.browser.get(path)).text, "nothing erased"
    erased = await office.browser.submit(
        path, action=f"{path}/erasure", reference=case["reference"], **{"erase.reason": "Asked"}
    )
    assert erased.status_code == 303
    page = await office.browser.get(path)
    assert "Blessing" not in page.text and 'class="tag tag-erased"' in page.text


async def test_a_minors_plan_needs_a_representative_and_says_so_beside_the_form(
    office: Office,
):
    case = await office.journey().open(
        person={"given_name": "Joy", "family_name": "Eze", "date_of_birth": days_ago(16 * 365)}
    )
    path = f"/console/cases/{case['id']}"
    refused = await office.browser.submit(
        path, action=f"{path}/plan", agreed_on=days_ago(10), goals="Back to school"
    )
    assert refused.status_code == 422
    assert errors_of(refused)[0] == ["representative"]
    assert 'value="' + days_ago(10) + '"' in refused.text, "the form keeps what was typed"


async def test_a_case_officer_closes_a_case_in_reintegration(office: Office):
    journey = office.journey()
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(76))
    await journey.arrive(on=days_ago(75))
    path = f"/console/cases/{journey.case['id']}"
    closed = await office.browser.submit(
        path, action=f"{path}/closure", outcome="completed", closed_on=days_ago(1)
    )
    assert closed.status_code == 303
    page = await office.browser.get(path)
    assert 'class="tag tag-completed"' in page.text
    assert f'action="{path}/closure"' not in page.text


async def test_a_case_out_of_reach_is_not_found(office: Office, client: httpx.AsyncClient):
    case = await office.journey().open()
    path = f"/console/cases/{case['id']}"
    for kind in (OrganisationKind.authority, OrganisationKind.partner):
        async with httpx.AsyncClient(
            transport=client._transport, base_url="http://tracker.test"
        ) as other:
            stranger = Browser(other)
            await stranger.sign_in(await new_staff(kind, coordinator=True))
            answer = await stranger.get(path)
            assert answer.status_code == 404, kind
            assert "Blessing" not in answer.text
            assert case["reference"] not in (await stranger.get("/console/cases")).text
            hold = await stranger.submit("/console/", action=f"{path}/legal-hold", hold="yes")
            assert hold.status_code == 404, "nor can it be acted on"
    assert (await office.browser.get(f"/console/cases/{uuid.uuid4()}")).status_code == 404


async def test_the_audit_trail_on_the_case_page_shows_the_reads(office: Office):
    case = await office.journey().open()
    path = f"/console/cases/{case['id']}"
    await office.browser.get(path)
    page = await office.browser.get(path)
    trail = page.text.split('id="audit"', 1)[1]
    assert trail.count('data-action="case.read"') >= 2
    assert 'data-action="case.opened"' in trail
    assert 'data-action="case.reports_read"' in trail


async def test_every_action_without_its_form_token_is_refused(office: Office):
    case = await office.journey().open()
    path = f"/console/cases/{case['id']}"
    for action in ("reflection-extension", "plan", "closure", "legal-hold", "erasure"):
        answer = await office.browser.client.post(f"{path}/{action}", data={"days": "1"})
        assert answer.status_code == 403, action
    answer = await office.browser.client.post("/console/cases/new", data={})
    assert answer.status_code == 403
    stored = await office.browser.client.get(
        f"/api/v1/cases/{case['id']}", headers=office.authority.headers
    )
    assert stored.json()["reflection_period_end"] == case["reflection_period_end"]
    assert not stored.json().get("legal_hold") and stored.json()["person"], "nothing changed"


async def test_the_case_page_shows_the_months_with_their_reports_payments_and_timeline(
    office: Office,
):
    journey = office.journey()
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(76))
    await journey.arrive(on=days_ago(75))  # months 1 and 2 are over
    partner = office.partner.headers
    await office.browser.client.post(f"{journey.path}/reports", json=report_body(), headers=partner)
    await office.browser.client.post(
        f"{journey.path}/payments", json=payment_body(amount="25000.00"), headers=partner
    )

    page = (await office.browser.get(f"/console/cases/{journey.case['id']}")).text

    months = page.split('id="months"', 1)[1].split('id="payments"', 1)[0]
    rows = re.findall(r'<th scope="row">.*?</tr>', months, re.DOTALL)
    assert len(rows) == 6
    assert "Shop opened; sells school uniforms" in rows[0]
    assert 'class="overdue"' in rows[1] and 'class="overdue"' not in rows[2]
    assert "25000.00 NGN" in page.split('id="payments"', 1)[1]
    timeline = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.index(days_ago(100)) < timeline.index(days_ago(75)), "oldest first"


async def test_the_timeline_tells_changes_of_the_same_day_in_the_order_they_happened(
    office: Office,
):
    case = await closed_case(
        office.browser.client, office.authority, office.return_org, office.partner
    )
    await submit(case)
    await review(case, "accepted")

    page = (await office.browser.get(f"/console/cases/{case.id}")).text

    timeline = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    submitted, accepted = "Indsendte resultatrapporten", "Godkendte resultatrapporten"
    assert timeline.index(submitted) < timeline.index(accepted), "submitted, then accepted"


async def test_the_return_organisation_sees_the_person_as_its_role_may(
    office: Office, client: httpx.AsyncClient
):
    case = await office.journey().open()
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://tracker.test"
    ) as other:
        iom = Browser(other)
        officer = await new_staff(
            OrganisationKind.return_org, organisation_id=office.return_org.organisation_id
        )
        await iom.sign_in(officer)
        page = await iom.get(f"/console/cases/{case['id']}")
        opening = await iom.get("/console/cases/new")
    assert opening.status_code == 403, "the return organisation opens no case"
    assert page.status_code == 200
    assert "Blessing Okafor" in page.text and "+2348012345678" not in page.text
    assert "/erasure" not in page.text and "/legal-hold" not in page.text


async def test_a_month_turns_overdue_in_the_list_the_day_after_its_grace_days(
    office: Office, clock, settings
):
    journey = office.journey()
    await journey.open()
    await journey.plan()
    await journey.depart(on=days_ago(21))
    await journey.arrive(on=days_ago(20))
    arrived = date.fromisoformat(journey.case["arrived_on"])
    last_day_of_grace = month_due_on(arrived, 1) + timedelta(days=settings.report_grace_days)

    for instant, overdue in (
        (datetime.combine(last_day_of_grace, time(23, 59), UTC), False),
        (datetime.combine(last_day_of_grace + timedelta(days=1), time(0, 1), UTC), True),
    ):
        clock.move_to(instant)
        if (await office.browser.get("/console/")).status_code == 303:  # the session ended
            await office.browser.sign_in(office.officer)
        listed = await office.browser.get("/console/cases?overdue=1")
        assert (journey.case["reference"] in listed.text) is overdue, instant
