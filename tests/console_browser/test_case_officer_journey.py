"""A case officer at the Immigration Service follows one return in Chromium, from the day
she opens the case to the day she accepts its outcome report: she opens the case and agrees
the plan with its budget; IOM records the departure and the arrival, then, when the six
months of support are over, closes the case and submits its outcome report; she reads the
report beside its months and payments, accepts it, and finds the acceptance on the case's
timeline. Every step a page offers is taken on that page, with the labels a screen reader
reads out; only the partner's monthly reports and payments, entered in the field app, come
through the API with the partner's token."""

from __future__ import annotations

import re
from collections.abc import Callable

from models.organisations import OrganisationKind, names_of
from tests.api.conftest import days_ago, payment_body, report_body
from tests.api.test_outcome_review import NOTE
from tests.browser.tracker import Tracker
from tests.console_browser.console import Console
from tests.console_browser.test_review_walk import da

#: Days ago, so that by today the six months of support are over.
IDENTIFIED, AGREED, DEPARTED, ARRIVED = 320, 230, 215, 214
CLOSURE_NOTE = "Her tailoring shop in Benin City pays the rent"


def test_a_case_officer_opens_a_case_and_in_the_end_accepts_its_outcome_report(
    tracker: Tracker, signed_in: Callable[..., Console], laptop: Callable[..., Console]
) -> None:
    iom = tracker.worker(OrganisationKind.return_org, "CH")
    partner = tracker.worker(OrganisationKind.partner, "NG")
    names = tracker.in_database(lambda: names_of([iom.organisation_id, partner.organisation_id]))
    officer = signed_in(OrganisationKind.authority)
    page = officer.page

    # She opens the case.
    page.get_by_role("link", name=da("cases.home_link")).click()
    page.get_by_role("link", name=da("cases.list.open_case")).click()
    assert officer.heading() == da("cases.new.title")
    page.get_by_label(da("cases.new.person.given_name"), exact=True).fill("Blessing")
    page.get_by_label(da("cases.new.person.family_name"), exact=True).fill("Okafor")
    page.get_by_label(da("cases.new.person.date_of_birth"), exact=True).fill("1999-04-02")
    page.get_by_role("group", name=da("cases.new.residence_status")).get_by_label(
        da("cases.residence.asylum_seeker")
    ).check()
    page.get_by_label(da("cases.exploitation.prostitution"), exact=True).check()
    page.get_by_label(da("cases.new.origin_country"), exact=True).fill("NG")
    page.get_by_label(da("cases.new.identified_on"), exact=True).fill(days_ago(IDENTIFIED))
    page.get_by_label(da("cases.new.reflection_period_start")).fill(days_ago(IDENTIFIED))
    page.get_by_label(da("cases.new.return_org_id")).select_option(label=names[iom.organisation_id])
    page.get_by_label(da("cases.new.partner_org_id")).select_option(
        label=names[partner.organisation_id]
    )
    page.get_by_label(da("cases.new.consent.data_sharing.yes")).check()
    page.get_by_role("button", name=da("cases.new.submit")).click()
    page.wait_for_url(re.compile(r"/console/cases/[0-9a-f-]{36}$"))
    case_page = page.url
    reference = re.search(r"DK-\d{4}-\d{4}", officer.heading()).group(0)
    state = page.locator(".case-state")
    assert state.inner_text().strip() == da("cases.status.reflection")

    # She agrees the plan with its budget, and sends it from the keyboard.
    plan = page.get_by_role("region", name=da("cases.plan.title"))
    plan.get_by_label(da("cases.plan.agreed_on")).fill(days_ago(AGREED))
    plan.get_by_label(da("cases.plan.goals")).fill("Open a tailoring shop in Benin City")
    for line, (category, amount) in enumerate((("housing", "120000"), ("business", "80000")), 1):
        plan.get_by_label(da("cases.plan.budget.category", line=line)).select_option(
            label=da(f"cases.category.{category}")
        )
        plan.get_by_label(da("cases.plan.budget.amount", line=line)).fill(amount)
        plan.get_by_label(da("cases.plan.budget.currency", line=line)).fill("NGN")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert state.inner_text().strip() == da("cases.status.planned")
    budget = page.get_by_role("table", name=da("cases.case.budget"))
    assert "120000.00 NGN" in budget.inner_text()

    # IOM, on its own laptop, records the departure and the arrival.
    iom_officer = laptop()
    iom_officer.sign_in(
        iom_officer.staff(
            OrganisationKind.return_org, organisation_id=iom.organisation_id, name="Jonas Weber"
        )
    )
    at_iom = iom_officer.page
    at_iom.get_by_role("link", name=da("returns.nav.returns"), exact=True).click()
    assert iom_officer.heading() == da("returns.returns.title")
    departing = at_iom.get_by_role("region", name=re.compile(reference))
    departing.get_by_label(da("returns.departures.label", reference=reference)).fill(
        days_ago(DEPARTED)
    )
    departing.get_by_role("button", name=da("returns.departures.button")).click()
    at_iom.wait_for_url("**/console/returns?done=departure")
    assert at_iom.get_by_role("status").inner_text() == da("returns.done.departure")
    arriving = at_iom.get_by_role("region", name=re.compile(reference))
    arriving.get_by_label(da("returns.arrivals.label", reference=reference)).fill(days_ago(ARRIVED))
    arriving.get_by_role("button", name=da("returns.arrivals.button")).click()
    at_iom.wait_for_url("**/console/returns?done=arrival")
    assert at_iom.get_by_role("status").inner_text() == da("returns.done.arrival")

    # The partner's social worker visits every month and pays from the budget: that is
    # entered in the field app, which sends it through the API with the partner's token.
    case_id = case_page.rsplit("/", 1)[1]
    for month in range(1, 7):
        visited = days_ago(ARRIVED - 30 * month + 10)
        report = report_body(month=month, visited_on=visited)
        tracker.post(partner, f"/api/v1/cases/{case_id}/reports", report)
    for month, category, amount in ((1, "housing", "60000.00"), (2, "business", "80000.00")):
        paid = days_ago(ARRIVED - 30 * month + 12)
        payment = payment_body(month=month, category=category, amount=amount, paid_on=paid)
        tracker.post(partner, f"/api/v1/cases/{case_id}/payments", payment)

    # Support over, IOM closes the case and submits its outcome report.
    at_iom.get_by_role("link", name=da("returns.nav.outcome_reports"), exact=True).click()
    assert iom_officer.heading() == da("returns.outcome.title")
    closing = at_iom.get_by_role("region", name=re.compile(reference))
    closing.get_by_label(da("returns.close.outcome")).select_option(
        label=da("returns.outcome.completed")
    )
    closing.get_by_label(da("returns.close.closed_on")).fill(days_ago(10))
    closing.get_by_label(da("returns.close.note")).fill(CLOSURE_NOTE)
    closing.get_by_role("button", name=da("returns.close.button", reference=reference)).click()
    at_iom.wait_for_url("**/console/outcome-reports?done=closed")
    assert at_iom.get_by_role("status").inner_text() == da("returns.done.closed")
    submitting = at_iom.get_by_role("region", name=reference, exact=True)
    submitting.get_by_label(da("returns.outcome.note")).fill(NOTE)
    submitting.get_by_role("button", name=da("returns.outcome.submit")).click()
    at_iom.wait_for_url("**/console/outcome-reports?done=submitted")
    assert at_iom.get_by_role("status").inner_text() == da("returns.done.submitted")

    # She reads the report beside its months and payments, and accepts it.
    page.get_by_role("link", name=da("review.nav.queue"), exact=True).click()
    assert officer.heading() == da("review.queue.title")
    page.get_by_role("link", name=reference).click()
    assert officer.heading() == da("review.report.title", reference=reference)
    assert page.get_by_role(
        "heading", name=da("review.report.submitted.heading", version=1)
    ).is_visible()
    assert page.get_by_text(NOTE).is_visible(), "IOM's note beside the report"
    assert page.get_by_text(CLOSURE_NOTE).is_visible()
    records = page.get_by_role("region", name=da("review.records.heading"))
    for month in range(1, 7):
        shown = re.compile(rf"^{da('review.records.month', month=month)} ")
        assert records.get_by_role("heading", name=shown).is_visible()
    assert da("review.report.no_report") not in records.inner_text(), "every month reported"
    payments = page.get_by_role("table", name=da("review.records.payments.heading"))
    assert "80000.00 NGN" in payments.inner_text()
    page.get_by_role("button", name=da("review.decision.accept.button", version=1)).click()
    page.wait_for_url("**/console/review?**")
    banner = page.get_by_role("status")
    assert da("review.queue.done.title") in banner.inner_text()
    assert da("review.queue.done.accepted", reference=reference) in banner.inner_text()

    # The case page tells the whole story, the acceptance last.
    page.get_by_role("link", name=da("cases.nav"), exact=True).click()
    page.get_by_role("link", name=reference).click()
    assert page.url == case_page
    assert state.inner_text().strip() == da("cases.status.completed")
    timeline = page.locator("#timeline + ol").get_by_role("listitem").all_inner_texts()
    assert timeline[-1].endswith(da("cases.audit.outcome.accepted")), timeline
    assert any(item.endswith(da("cases.timeline.planned")) for item in timeline)
