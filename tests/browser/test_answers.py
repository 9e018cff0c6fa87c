"""What the tracker answers a record made offline, as the worker sees it: a conflict (409)
is kept with what the tracker holds until the worker drops the phone's copy; a record
that needs a fix (422) shows the tracker's message beside its field and goes again, with
the same id, once fixed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.api.conftest import days_ago


def test_a_conflict_and_a_record_needing_a_fix_are_shown_and_resolved(phone, tracker):
    partner = tracker.worker()
    case = tracker.case(partner, arrived_days_ago=None, departed_days_ago=20)
    page = phone.page
    phone.enrol(tracker.enrolment_code(partner))
    phone.open_case(case.family_name)

    # The worker meets the returnee off the plane and records it with no network...
    phone.offline()
    page.get_by_label("Date of arrival").fill(days_ago(10))
    page.get_by_role("button", name="Record the arrival").click()
    expect(page.get_by_text(re.compile("Support from"))).to_be_visible()
    page.get_by_role("link", name="Record a payment").click()
    phone.wait_for_screen("Payment")
    page.get_by_label("Amount").fill("5000")
    page.get_by_label("Paid on").fill(days_ago(5))
    page.get_by_label("Cash").check()
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")

    # ...while IOM records the arrival a week later than the worker did.
    tracker.post(case.return_org, f"/api/v1/cases/{case.id}/arrival", {"arrived_on": days_ago(3)})
    phone.offline(False)
    phone.sync_now()

    conflict = page.get_by_test_id("entry-conflict")
    expect(conflict).to_contain_text("Arrival on")
    expect(conflict).to_contain_text("The tracker has: arrival on")
    fix = page.get_by_test_id("entry-fix")
    expect(fix).to_contain_text("paid_on: must not be before arrived_on")

    fix.get_by_role("link", name="Fix it").click()
    phone.wait_for_screen("Payment")
    expect(page.get_by_label("Paid on")).to_have_accessible_description(
        "must not be before arrived_on"
    )
    page.get_by_label("Paid on").fill(days_ago(1))
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")

    phone.sync_now()
    expect(page.get_by_test_id("entry-fix")).to_have_count(0)
    conflict.get_by_role("button", name="Drop the phone's copy").click()
    conflict.get_by_role("button", name="Yes, drop it").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("0 records wait on this phone.")

    payments = tracker.get(partner, f"/api/v1/cases/{case.id}/payments")["items"]
    assert [(p["amount"], p["paid_on"]) for p in payments] == [("5000.00", days_ago(1))]
    phone.open_case(case.family_name)
    expect(page.get_by_text("Waiting to be sent")).to_have_count(0)
