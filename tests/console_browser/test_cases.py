"""A case officer at the Immigration Service opens a case in Chromium, and finds it again."""

from __future__ import annotations

import re
from collections.abc import Callable

from models.organisations import OrganisationKind
from tests.api.conftest import days_ago
from tests.browser.tracker import Tracker
from tests.console_browser.console import Console, words


def field(console: Console, name: str):
    """A field by its id, which names it as the domain does (``person.family_name``)."""
    return console.page.locator(f'[id="{name}"]')


def test_a_case_officer_opens_a_case_fixing_a_mistake_and_finds_it_in_the_list(
    signed_in: Callable[..., Console], tracker: Tracker
) -> None:
    return_org = tracker.worker(OrganisationKind.return_org, "CH")
    console = signed_in(OrganisationKind.authority)
    page = console.page

    console.open("/console/")
    page.get_by_role("link", name=words("da", "cases.home_link")).click()
    page.get_by_role("link", name=words("da", "cases.list.open_case")).click()
    page.wait_for_url("**/console/cases/new")

    field(console, "person.given_name").fill("Blessing")
    minor = page.locator("#minor-notice .warning-text")
    field(console, "person.date_of_birth").fill(days_ago(15 * 366))
    field(console, "person.date_of_birth").press("Tab")  # htmx asks what the date brings
    minor.wait_for()
    field(console, "person.date_of_birth").fill("1999-04-02")
    field(console, "person.date_of_birth").press("Tab")
    minor.wait_for(state="detached")
    field(console, "residence_status").check()
    field(console, "exploitation").check()
    field(console, "origin_country").fill("NG")
    field(console, "identified_on").fill(days_ago(10))
    field(console, "reflection_period_start").fill(days_ago(10))
    field(console, "return_org_id").select_option(str(return_org.organisation_id))
    page.locator("main form button[type=submit]").click()

    summary = page.locator(".error-summary")
    summary.wait_for()
    summary.get_by_role("link", name=words("da", "cases.error.person.family_name")).click()
    assert page.evaluate("() => document.activeElement.id") == "person.family_name"
    assert field(console, "person.given_name").input_value() == "Blessing", "kept"

    page.keyboard.type("Okafor")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/cases/[0-9a-f-]{36}$"))
    reference = re.search(r"DK-\d{4}-\d{4}", console.heading()).group(0)
    assert page.get_by_text("Blessing Okafor").is_visible()

    page.get_by_role("link", name=words("da", "cases.back_to_list")).click()
    field(console, "q").fill(reference[-4:])
    field(console, "q").press("Enter")  # htmx swaps the page in and keeps the address
    page.wait_for_url(re.compile(r"q=" + reference[-4:]))
    assert page.locator("#case-results").get_by_role("link", name=reference).is_visible()
