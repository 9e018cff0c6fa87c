"""A case officer at the Immigration Service reviews an outcome report in Chromium: from the
queue to the report beside its months and payments, returned for correction (first without
a comment, which the page refuses at the field), then the corrected report accepted and
printed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from models.organisations import OrganisationKind
from tests.api.conftest import days_ago
from tests.api.test_outcome_review import NOTE, closed_case, submit
from tests.api.test_outcomes import GOOD
from tests.browser.tracker import Tracker, Worker
from tests.console_browser.console import Console, words

COMMENT = "Month 3 has no report: ask the partner for it"


def submitted_report(tracker: Tracker) -> tuple[dict[str, Worker], str, str]:
    """A closed case whose outcome report IOM submitted: its organisations, id and reference."""
    workers = {
        "authority": tracker.worker(OrganisationKind.authority, "DK"),
        "return_org": tracker.worker(OrganisationKind.return_org, "CH"),
        "partner": tracker.worker(OrganisationKind.partner, "NG"),
    }

    async def walk() -> tuple[str, str]:
        async with httpx.AsyncClient(base_url=tracker.url, timeout=60) as http:
            case = await closed_case(http, *workers.values())
            await submit(case)
            return case.id, case.reference

    return workers, *tracker.harness.run(walk())


def da(key: str, **values: object) -> str:
    text = words("da", key)
    return text.format(**values) if values else text


def test_a_case_officer_returns_a_report_for_correction_then_accepts_and_prints_it(
    tracker: Tracker, signed_in: Callable[..., Console]
) -> None:
    workers, case_id, reference = submitted_report(tracker)
    console = signed_in(
        OrganisationKind.authority, organisation_id=workers["authority"].organisation_id
    )
    page = console.page

    page.get_by_role("link", name=da("review.nav.queue"), exact=True).click()
    assert console.heading() == da("review.queue.title")
    page.get_by_role("link", name=reference).click()
    assert console.heading() == da("review.report.title", reference=reference)
    assert page.get_by_text(NOTE).is_visible(), "IOM's note beside the report"
    assert page.get_by_role("heading", name=da("review.records.month", month=6)).is_visible()

    return_button = page.get_by_role("button", name=da("review.decision.return.button"))
    return_button.click()
    page.wait_for_load_state()
    error = da("review.decision.error.comment")
    assert page.locator(".error-summary a[href='#comment']").inner_text() == error
    assert error in page.locator("#comment-error").inner_text()

    page.get_by_label(da("review.decision.comment.label")).fill(COMMENT)
    page.get_by_role("button", name=da("review.decision.return.button")).click()
    page.wait_for_url("**/console/review?**")
    banner = page.locator(".notification-banner").inner_text()
    assert da("review.queue.done.returned", reference=reference) in banner

    # The partner sends the late report of month 3 (version 2); IOM submits it.
    partner, return_org = workers["partner"], workers["return_org"]
    late = {"id": str(uuid.uuid4()), "month": 3, "visited_on": days_ago(120), **GOOD}
    tracker.post(partner, f"/api/v1/cases/{case_id}/reports", late)
    tracker.post(return_org, f"/api/v1/cases/{case_id}/outcome-report/submission", {})

    console.open("/console/review")
    page.get_by_role("link", name=reference).click()
    submitted = da("review.report.submitted.heading", version=2)
    assert page.get_by_role("heading", name=submitted).is_visible()
    page.get_by_role("button", name=da("review.decision.accept.button", version=2)).click()
    page.wait_for_url("**/console/review?**")
    assert da("review.queue.done.accepted", reference=reference) in page.inner_text("main")

    printed = console.open(f"/console/cases/{case_id}/outcome-report/print?version=2")
    assert printed.status == 200
    assert page.locator("h1").inner_text() == da("review.print.title", reference=reference)
    assert page.get_by_text(COMMENT).is_visible(), "the review's history is printed"
