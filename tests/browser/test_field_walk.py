"""A partner worker's day, on a phone whose network comes and goes: enrol with a code and
a PIN, sync, lose the network, file a report and a payment with a receipt photo, reload
with no network and find everything, then get the network back: every record reaches the
tracker exactly once, and nothing the phone kept could be read without the PIN."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.photos import PLACE, dimensions, with_gps


def test_a_report_and_a_payment_made_offline_reach_the_tracker_once(phone, tracker):
    partner = tracker.worker()
    case = tracker.case(partner)
    page = phone.page

    phone.enrol(tracker.enrolment_code(partner))
    tasks = page.get_by_test_id("tasks")
    expect(
        tasks.get_by_role("link", name=re.compile(f"Monthly report.*{case.reference}"))
    ).to_have_count(3)

    phone.offline()
    tasks.get_by_role("link", name=re.compile("Month: 1")).click()
    phone.wait_for_screen("Monthly report")
    page.get_by_label("In person").check()
    page.get_by_label("Temporary").check()
    page.get_by_label("In training").check()
    page.get_by_label("3 – fair").check()
    page.get_by_label("What happened this month").fill("Started a tailoring course")
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")

    page.get_by_role("link", name="Record a payment").click()
    phone.wait_for_screen("Payment")
    page.get_by_label("Amount").fill("25000.50")
    page.get_by_label("Mobile money").check()
    photo = with_gps(phone.jpeg(2400, 1800))
    page.get_by_label("Photo of the receipt").set_input_files(
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    expect(page.get_by_role("img", name="The receipt photo")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")
    expect(page.get_by_text("Waiting to be sent")).to_have_count(2)

    # A reload with no network: the lock screen shows only how many records wait.
    page.reload()
    expect(page.get_by_text("3 records wait to be sent")).to_be_visible()
    assert case.family_name not in page.locator("body").inner_text()
    phone.unlock(partner.name)
    phone.wait_for_screen("Tasks")
    phone.open_case(case.family_name)
    expect(page.get_by_text(re.compile("Visit on .*, In person"))).to_be_visible()
    expect(page.get_by_text("Saved on this phone, not sent: NGN 25,000.50")).to_be_visible()
    assert phone.waiting() == "3 records wait on this phone."

    stored = phone.raw_storage()
    for secret in (case.given_name, case.family_name, "+2348012345678", "tailoring", PLACE):
        assert secret not in stored

    phone.offline(False)
    phone.sync_now()
    assert phone.waiting() == "0 records wait on this phone."
    phone.sync_now()

    reports = tracker.get(partner, f"/api/v1/cases/{case.id}/reports")["items"]
    payments = tracker.get(partner, f"/api/v1/cases/{case.id}/payments")["items"]
    assert [(r["month"], r["housing"], r["narrative"]) for r in reports] == [
        (1, "temporary", "Started a tailoring course")
    ]
    assert [(p["amount"], p["status"]) for p in payments] == [("25000.50", "recorded")]
    with tracker.api(partner) as http:
        receipt = http.get(f"/api/v1/attachments/{payments[0]['receipt_id']}")
    assert receipt.headers["content-type"] == "image/jpeg"
    assert max(dimensions(receipt.content)) == 1600
    assert b"Exif" not in receipt.content
    assert PLACE.encode() not in receipt.content
    phone.open_case(case.family_name)
    expect(page.get_by_text("Recorded")).to_be_visible()
