"""Profiles on a shared phone: each worker's own PIN and store; what ends a profile (ten
wrong PINs, a revoked token, signing out) and what only locks it (5 idle minutes)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from models.organisations import OrganisationKind
from tests.browser.phone import PIN

STORES = "async () => (await indexedDB.databases()).map((db) => db.name).sort()"


def test_two_workers_on_one_phone_see_only_their_own_cases(phone, tracker):
    ada, bola = tracker.worker(), tracker.worker()
    tracker.case(ada, given_name="Grace", family_name="Adeyemi")
    tracker.case(bola, given_name="Esther", family_name="Obi")
    page = phone.page

    phone.enrol(tracker.enrolment_code(ada), pin="111111")
    phone.lock()
    phone.add_worker(tracker.enrolment_code(bola), pin="222222")
    phone.go("My cases")
    expect(page.get_by_test_id("cases")).to_contain_text("Esther Obi")
    expect(page.get_by_test_id("cases")).not_to_contain_text("Adeyemi")

    phone.lock()
    phone.unlock(ada.name, pin="222222")
    expect(page.get_by_text(re.compile("Wrong PIN"))).to_be_visible()
    page.get_by_label(f"PIN of {ada.name}").fill("111111")
    page.get_by_role("button", name="Unlock").click()
    phone.go("My cases")
    expect(page.get_by_test_id("cases")).to_contain_text("Grace Adeyemi")
    expect(page.get_by_test_id("cases")).not_to_contain_text("Obi")


def test_ten_wrong_pins_wipe_the_profile(phone, tracker):
    partner = tracker.worker()
    tracker.case(partner)
    page = phone.page
    phone.enrol(tracker.enrolment_code(partner))
    phone.lock()

    phone.page.get_by_role("button", name=re.compile(partner.name)).click()
    for left in range(9, 0, -1):
        page.get_by_label(f"PIN of {partner.name}").fill("999999")
        page.get_by_role("button", name="Unlock").click()
        expect(page.get_by_text(re.compile(f"{left} more tr"))).to_be_visible()
    page.get_by_label(f"PIN of {partner.name}").fill("999999")
    page.get_by_role("button", name="Unlock").click()

    expect(page.get_by_text(re.compile("deleted from this phone after too many"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(partner.name))).to_have_count(0)
    assert page.evaluate(STORES) == ["tracker-profiles"]


def test_a_revoked_token_wipes_the_profile(phone, tracker):
    partner = tracker.worker()
    tracker.case(partner)
    page = phone.page
    phone.enrol(tracker.enrolment_code(partner))
    tracker.revoke_phones(partner)

    phone.go("Outbox")
    page.get_by_role("button", name="Sync now").click()

    expect(page.get_by_text(re.compile("withdrew this phone's access"))).to_be_visible()
    assert page.evaluate(STORES) == ["tracker-profiles"]
    expect(page.get_by_role("heading", name="Add a worker to this phone")).to_be_visible()


def test_an_expired_token_keeps_everything_until_the_worker_enrols_again(phone, tracker):
    partner = tracker.worker()
    case = tracker.case(partner)
    page = phone.page
    phone.enrol(tracker.enrolment_code(partner))
    phone.offline()
    phone.open_case(case.family_name)
    page.get_by_role("link", name="File the report").first.click()
    page.get_by_label("By phone").check()
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")
    tracker.leave_phones_unused(partner, days=91)
    phone.offline(False)

    phone.go("Outbox")
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("heading", name="Enrol this phone again")).to_be_visible()
    assert phone.waiting() == "1 record waits on this phone."
    page.get_by_label("Enrolment code").fill(tracker.enrolment_code(partner))
    page.get_by_role("button", name="Use this code").click()
    expect(page.get_by_role("heading", name="Enrol this phone again")).to_have_count(0)

    expect(page.get_by_test_id("waiting-count")).to_have_text("0 records wait on this phone.")
    reports = tracker.get(partner, f"/api/v1/cases/{case.id}/reports")["items"]
    assert [report["contact"] for report in reports] == ["phone"]


def test_signing_out_refuses_while_records_wait_unless_confirmed_twice(phone, tracker):
    partner = tracker.worker()
    case = tracker.case(partner)
    page = phone.page
    phone.enrol(tracker.enrolment_code(partner))
    phone.offline()
    phone.open_case(case.family_name)
    page.get_by_role("link", name="File the report").first.click()
    page.get_by_label("By phone").check()
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")

    phone.go("Settings")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_contain_text("1 record has not been sent")
    page.get_by_role("button", name="Sign out anyway").click()
    expect(page.get_by_role("alert")).to_contain_text("Are you sure?")
    assert len(page.evaluate(STORES)) == 2  # nothing deleted yet
    page.get_by_role("button", name="Delete and sign out").click()

    expect(page.get_by_text(re.compile("Signed out"))).to_be_visible()
    assert page.evaluate(STORES) == ["tracker-profiles"]


def test_the_app_locks_after_five_idle_minutes(phone, tracker):
    partner = tracker.worker()
    tracker.case(partner)
    phone.page.clock.install()
    phone.enrol(tracker.enrolment_code(partner))

    phone.page.clock.fast_forward("04:00")
    phone.go("My cases")
    phone.page.clock.fast_forward("04:30")
    expect(phone.page.locator("main h1")).to_have_text("My cases")
    phone.page.clock.fast_forward("01:00")

    expect(phone.page.get_by_text("Locked. Enter your PIN to go on.")).to_be_visible()
    expect(phone.page.get_by_text("Blessing")).to_have_count(0)
    phone.unlock(partner.name, PIN)
    phone.wait_for_screen("Tasks")


def test_a_worker_of_an_office_is_sent_to_the_console(phone, tracker):
    officer = tracker.worker(OrganisationKind.authority, "DK")
    phone.open(f"/app/#enrol={tracker.enrolment_code(officer)}")
    phone.choose_pin()
    phone.page.wait_for_url(re.compile(r"/console/"))
    phone.open("/app/")
    assert phone.page.evaluate(STORES) == ["tracker-profiles"]
