"""A new version of the app on the tracker: the phone offers it, the worker takes it, and
nothing the phone was keeping is lost (an update that empties the outbox is what field
workers of other apps complain of most)."""

from __future__ import annotations

import re
import shutil

from playwright.sync_api import expect

from api.field_app import PACKAGE_FILES


def test_a_new_version_of_the_app_keeps_the_outbox(phone, tracker, tmp_path):
    partner = tracker.worker()
    case = tracker.case(partner)
    page = phone.page
    phone.enrol(tracker.enrolment_code(partner))

    # The tracker's API is out of reach (its files are not): the report waits.
    page.route(re.compile(r"/api/v1/"), lambda route: route.abort("internetdisconnected"))
    phone.open_case(case.family_name)
    page.get_by_role("link", name="File the report").first.click()
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Save").click()
    phone.wait_for_screen(f"{case.given_name} {case.family_name}")

    newer = tmp_path / "app"
    shutil.copytree(PACKAGE_FILES, newer)
    with (newer / "app.css").open("a") as css:
        css.write("\n/* the newer version */\n")
    try:
        tracker.restart(TRACKER_FIELD_APP_DIR=str(newer))
        page.reload()
        with page.expect_navigation():
            page.get_by_role("button", name="Update now").click()
        expect(page.get_by_text("1 record waits to be sent")).to_be_visible()
        assert "the newer version" in page.evaluate("fetch('app.css').then((r) => r.text())")

        phone.unlock(partner.name)
        phone.wait_for_screen("Tasks")
        assert phone.waiting() == "1 record waits on this phone."
        page.unroute(re.compile(r"/api/v1/"))
        phone.sync_now()
        assert phone.waiting() == "0 records wait on this phone."
    finally:
        tracker.restart()
    reports = tracker.get(partner, f"/api/v1/cases/{case.id}/reports")["items"]
    assert [report["contact"] for report in reports] == ["in_person"]
