"""A partner's coordinator in Chromium: their organisation's cases and overdue months, and
"not found" for another partner's case."""

from __future__ import annotations

from collections.abc import Callable

from models.organisations import OrganisationKind
from tests.browser.tracker import Tracker
from tests.console_browser.console import Console, words


def test_a_partner_coordinator_reads_the_overview_and_another_partners_case_is_not_found(
    tracker: Tracker, signed_in: Callable[..., Console]
) -> None:
    ours = tracker.worker(OrganisationKind.partner, "NG")
    theirs = tracker.worker(OrganisationKind.partner, "NG")
    our_case = tracker.case(ours, arrived_days_ago=75)
    their_case = tracker.case(theirs, given_name="Joy", family_name="Eze", arrived_days_ago=75)

    console = signed_in(
        OrganisationKind.partner, coordinator=True, organisation_id=ours.organisation_id
    )
    console.page.get_by_role("link", name=words("da", "overview.nav"), exact=True).click()
    console.page.wait_for_url("**/console/overview")
    main = console.page.locator("main").inner_text()
    assert our_case.reference in main and "Blessing Okafor" in main
    assert their_case.reference not in main and "Joy Eze" not in main
    assert words("da", "overview.overdue.heading") in main
    assert console.page.locator(".overdue-list li").count() >= 1
    assert console.page.locator("main form").count() == 0, "read only"

    answer = console.open(f"/console/cases/{their_case.id}")
    assert answer.status == 404
