"""Walks of the organisations' own work, in Chromium: a case officer opens a case and
accepts its outcome report; IOM approves a payment to a relative; CMM drafts a story and
prints its card; a partner coordinator asks for another partner's case and is told it is
not there."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from models.organisations import OrganisationKind
from tests.api.conftest import days_ago
from tests.browser.tracker import Tracker
from tests.console_browser.console import Console, words
from tests.console_browser.world import (
    RENT,
    World,
    completed_cohort,
    from_departure_to_submission,
    payment_to_a_relative,
)


def test_iom_approves_a_payment_to_a_relative_after_reading_why(
    tracker: Tracker, signed_in: Callable[..., Console]
) -> None:
    waiting = payment_to_a_relative(tracker)
    console = signed_in(
        OrganisationKind.return_org, organisation_id=waiting.return_org.organisation_id
    )
    page = console.page

    with page.expect_navigation():
        page.locator("header nav a[href='/console/approvals']").click()
    payment = page.locator("section.returns-record").filter(has_text=waiting.reference)
    assert payment.count() == 1
    assert RENT in payment.inner_text()
    assert words("da", "returns.approvals.why.relative") in payment.inner_text()
    assert payment.locator("img").first.get_attribute("alt")

    with page.expect_navigation():
        payment.locator("form[action$='/approval'] button").click()

    assert page.url.split("?")[0].endswith("/console/approvals")
    assert page.locator("section.returns-record").filter(has_text=waiting.reference).count() == 0
    (paid,) = tracker.get(waiting.return_org, f"/api/v1/cases/{waiting.case_id}/payments")["items"]
    assert paid["status"] == "approved"


def test_a_partner_coordinator_asking_for_another_partners_case_is_told_it_is_not_there(
    world: World, signed_in: Callable[..., Console]
) -> None:
    # A coordinator of another partner in Nigeria: none of the world's cases is theirs.
    console = signed_in(OrganisationKind.partner, coordinator=True)

    answer = console.open(f"/console/cases/{world.cases['reintegration']}")

    assert answer.status == 404
    assert console.heading() == words("da", "error.not_found.title")
    assert "Grace" not in console.page.content()
    overview = console.open("/console/overview")
    assert overview.status == 200
    assert world.cases["reintegration"] not in console.page.content()


def test_cmm_drafts_a_story_checks_it_approves_it_and_prints_its_card_on_one_page(
    tracker: Tracker, signed_in: Callable[..., Console]
) -> None:
    told = completed_cohort(tracker)
    console = signed_in(OrganisationKind.centre, organisation_id=told.centre.organisation_id)
    page = console.page

    with page.expect_navigation():
        page.locator("header nav a[href='/console/stories']").click()
    with page.expect_navigation():
        page.locator(f"a[href='/console/stories/new?case_id={told.case_id}']").click()
    page.locator("#title").fill("A shop of her own")
    # The person's name in the text: the check refuses it, beside the text, before saving.
    page.locator("#text").fill("Adaeze came home to Benin City and opened a tailoring shop.")
    with page.expect_navigation():
        page.locator("button[value=check]").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#text-error").is_visible()
    assert words("da", "stories.error.identifying") in page.locator("#text-error").inner_text()

    page.locator("#text").fill(
        "After she came home she opened a tailoring shop. Today she trains two apprentices."
    )
    with page.expect_navigation():
        page.locator("button[value=check]").click()
    assert page.locator(".story-check-clear").is_visible()
    with page.expect_navigation(url="**/console/stories/*"):
        page.locator("button[value=save]").click()
    story_page = page.url

    with page.expect_navigation():
        page.locator("form[action$='/approval'] button").click()
    assert page.url == story_page
    assert page.locator("form[action$='/approval']").count() == 0
    with page.expect_navigation(url="**/card"):
        page.locator("a[href$='/card']").click()

    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()
    printed = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", printed)) == 1, "the card is one A4 page"
    assert "A shop of her own" in page.inner_text("main")


def test_a_case_officer_opens_a_case_and_later_accepts_its_outcome_report(
    tracker: Tracker, signed_in: Callable[..., Console]
) -> None:
    authority = tracker.worker(OrganisationKind.authority, "DK")
    return_org = tracker.worker(OrganisationKind.return_org, "CH")
    partner = tracker.worker(OrganisationKind.partner, "NG")
    console = signed_in(OrganisationKind.authority, organisation_id=authority.organisation_id)
    page = console.page

    with page.expect_navigation():
        page.locator("header nav a[href='/console/cases']").click()
    with page.expect_navigation():
        page.locator("a[href='/console/cases/new']").first.click()
    fill = {
        "person.given_name": "Blessing",
        "person.family_name": "Okafor",
        "person.date_of_birth": "1999-04-02",
        "person.nationality": "NG",
        "person.phone": "+2348012345678",
        "origin_country": "NG",
        "identified_on": days_ago(400),
        "reflection_period_start": days_ago(400),
    }
    for name, value in fill.items():
        page.locator(f"[name='{name}']").fill(value)
    for name, value in {
        "person.sex": "female",
        "residence_status": "asylum_seeker",
        "dublin_case": "no",
        "exploitation": "prostitution",
        "consent.data_sharing": "yes",
    }.items():
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.locator("[name='return_org_id']").select_option(str(return_org.organisation_id))
    page.locator("[name='partner_org_id']").select_option(str(partner.organisation_id))
    with page.expect_navigation(url=re.compile(r"/console/cases/[0-9a-f-]{36}$")):
        page.locator("main form[action='/console/cases/new'] button[type=submit]").last.click()
    case_id = page.url.rsplit("/", 1)[1]
    reference = page.locator("main h1").inner_text().split()[-1]

    async def the_others_work() -> None:
        async with httpx.AsyncClient(base_url=tracker.url, timeout=60) as http:
            await from_departure_to_submission(http, case_id, authority, return_org, partner)

    tracker.harness.run(the_others_work())

    with page.expect_navigation():
        page.locator("header nav a[href='/console/review']").click()
    with page.expect_navigation():
        page.get_by_role("link", name=reference).click()
    with page.expect_navigation():
        page.locator("form:has(input[name=decision][value=accepted]) button").click()
    report = tracker.get(authority, f"/api/v1/cases/{case_id}/outcome-report")
    assert report["review"]["status"] == "accepted"
