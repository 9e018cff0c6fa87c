"""The README's pictures of the field app, taken at a phone's size:

    python -m tests.browser.screenshots docs/

A worker enrols a phone for a partner with two cases, files a report offline, and the
Tasks screen and a case are taken as PNG files."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import PHONE
from tests.browser.phone import Phone
from tests.browser.standalone import served_tracker
from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args().folder
    with served_tracker() as tracker, sync_playwright() as playwright:
        partner = tracker.worker()
        case = tracker.case(partner, arrived_days_ago=95)
        tracker.case(partner, given_name="Joy", family_name="Eze", arrived_days_ago=40)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(**{**PHONE, "device_scale_factor": 1}, base_url=tracker.url)
        phone = Phone(context.new_page(), tracker)
        phone.enrol(tracker.enrolment_code(partner))
        phone.page.screenshot(path=folder / "field-app-tasks.png")
        phone.offline()
        phone.open_case(case.family_name)
        phone.page.get_by_role("link", name="File the report").first.click()
        phone.page.get_by_label("In person").check()
        phone.page.get_by_role("button", name="Save").click()
        phone.page.get_by_role(
            "heading", name=re.compile("Months of support")
        ).scroll_into_view_if_needed()
        phone.page.screenshot(path=folder / "field-app-case.png")
        browser.close()


if __name__ == "__main__":
    main()
