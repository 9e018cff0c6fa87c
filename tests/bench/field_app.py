"""The field app over a slow phone network: Chromium's network emulation at 400 kbit/s down
and up with 400 ms added to every request (a poor 3G link), on Debian's Chromium with a
phone's screen.

Usage:
    python -m tests.bench.field_app [--cases 20] [--cpu 4]

It serves the real tracker (``tracker serve``) on a fresh SQLite database in a temporary
folder, makes a partner worker with ``--cases`` cases in reintegration, then prints:

* first load, on an empty phone: from opening the enrolment link to a usable task list
  (the PIN typed at once; the PIN's key derivation, the exchange of the code and the first
  sync included), and the bytes the page received;
* from cache, the app already installed: from opening the app to the lock screen, and from
  the PIN to the task list;
* an outbox of 100 monthly reports (saved with no network, through the forms) drained over
  the slow network, one record at a time as the app sends them.

``--cpu N`` slows the page's CPU N times (Chromium's CPU throttling) to stand in for a
cheap phone; 1 is this machine's speed. Bytes are those of the page's own requests; the
service worker's revalidations while it installs (304s) are neither throttled nor counted.
This is a benchmark, not a test: it asserts nothing and prints the figures.
"""

from __future__ import annotations

import argparse
import re
import time

from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import PHONE
from tests.browser.phone import PIN, Phone
from tests.browser.standalone import served_tracker
from tests.browser.tracker import Tracker
from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS

KBIT = 1000 / 8
SLOW_NETWORK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * KBIT,
    "uploadThroughput": 400 * KBIT,
}
GOALS = {"first": 6.0, "cached": 1.0, "drain": 60.0}
REPORTS = 100


class Bytes:
    """Bytes the page received, as Chromium counts them on the wire."""

    def __init__(self, cdp) -> None:
        self.total = 0
        cdp.on("Network.loadingFinished", self.add)

    def add(self, event: dict) -> None:
        self.total += int(event.get("encodedDataLength", 0))


def slow_phone(context, page, cpu: float):
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    return cdp


def first_load(browser, tracker: Tracker, code: str, cases: int, cpu: float):
    context = browser.new_context(**PHONE, base_url=tracker.url)
    page = context.new_page()
    received = Bytes(slow_phone(context, page, cpu))
    started = time.monotonic()
    page.goto(f"/app/#enrol={code}")
    page.get_by_label("PIN", exact=True).fill(PIN)
    shell = time.monotonic() - started
    page.get_by_label("The same PIN again").fill(PIN)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("tasks").get_by_role("link")).to_have_count(
        cases * 3, timeout=60_000
    )
    usable = time.monotonic() - started
    phone = Phone(page, tracker)
    phone.wait_offline_ready()
    return context, phone, {"shell": shell, "usable": usable, "bytes": received.total}


def from_cache(context, tracker: Tracker, name: str, cases: int, cpu: float):
    page = context.new_page()
    cdp = slow_phone(context, page, cpu)
    received = Bytes(cdp)
    started = time.monotonic()
    page.goto("/app/")
    page.get_by_role("button", name=re.compile(name)).click()
    locked = time.monotonic() - started
    page.get_by_label(f"PIN of {name}").fill(PIN)
    pin = time.monotonic()
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_test_id("tasks").get_by_role("link")).to_have_count(
        cases * 3, timeout=60_000
    )
    done = time.monotonic()
    return (
        Phone(page, tracker),
        cdp,
        {
            "lock": locked,
            "unlock": done - pin,
            "usable": done - started,
            "bytes": received.total,
        },
    )


def drain(phone: Phone, cdp, case_ids: list[str]) -> dict:
    page = phone.page
    # Offline through the same emulation (Playwright's own would undo the slow network).
    cdp.send("Network.emulateNetworkConditions", {**SLOW_NETWORK, "offline": True})
    for case_id in case_ids:
        for month in range(1, 6):
            page.goto(f"/app/#/case/{case_id}/report?month={month}")
            page.get_by_label("By phone").check()
            page.get_by_role("button", name="Save").click()
            expect(page.locator("main h1")).not_to_have_text("Monthly report")
    waiting = phone.waiting()
    cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    started = time.monotonic()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text(
        "0 records wait on this phone.", timeout=600_000
    )
    return {"waiting": waiting, "drained": time.monotonic() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="cases in reintegration (≥ 20)")
    parser.add_argument("--cpu", type=float, default=4, help="CPU slowdown of the page")
    args = parser.parse_args()
    with served_tracker(TRACKER_RATE_LIMIT="0") as tracker:
        partner = tracker.worker()
        case_ids = [tracker.case(partner).id for _ in range(args.cases)]
        code = tracker.enrolment_code(partner)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context, phone, first = first_load(browser, tracker, code, args.cases, args.cpu)
            phone.page.close()  # the app is installed; the phone opens it again
            cached_phone, cdp, cached = from_cache(
                context, tracker, partner.name, args.cases, args.cpu
            )
            drained = drain(cached_phone, cdp, case_ids[: REPORTS // 5])  # five months a case
            browser.close()

    rows = [
        ("first load: bytes received", "", f"{first['bytes'] / 1024:.0f} KiB"),
        ("first load: enrolment link to the PIN screen", "", f"{first['shell']:.1f} s"),
        (
            "first load: to a usable task list",
            f"≤ {GOALS['first']:g} s",
            f"{first['usable']:.1f} s",
        ),
        ("from cache: bytes received", "", f"{cached['bytes'] / 1024:.0f} KiB"),
        ("from cache: opening to the lock screen", "", f"{cached['lock']:.2f} s"),
        ("from cache: the PIN to the task list", "", f"{cached['unlock']:.2f} s"),
        (
            "from cache: to a usable task list",
            f"≤ {GOALS['cached']:g} s",
            f"{cached['usable']:.2f} s",
        ),
        (
            f"outbox drained ({drained['waiting']})",
            f"≤ {GOALS['drain']:g} s",
            f"{drained['drained']:.1f} s",
        ),
    ]
    print(f"400 kbit/s down and up, 400 ms latency, CPU ×{args.cpu:g}, {args.cases} cases")
    print("| measure | goal | result |\n|---|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
