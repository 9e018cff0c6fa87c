"""The Tasks screen: monthly reports whose month has begun, soonest first, and any other
kind of task the tracker sends (a correction asked for in an outcome review), in the
words of the worker's language."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.api.conftest import days_ago

COMMENT = "Month 3 has no report: ask the partner for it"


def test_tasks_of_every_kind_show_in_the_workers_words(phone, tracker):
    partner = tracker.worker()
    tracker.case(partner)
    closed = tracker.case(partner, given_name="Joy", family_name="Eze", arrived_days_ago=95)
    path = f"/api/v1/cases/{closed.id}"
    tracker.post(
        closed.return_org, f"{path}/closure", {"outcome": "completed", "closed_on": days_ago(1)}
    )
    tracker.post(closed.return_org, f"{path}/outcome-report/submission", {"note": "Done"})
    tracker.post(
        closed.authority,
        f"{path}/outcome-report/review",
        {"decision": "returned", "comment": COMMENT},
    )

    phone.enrol(tracker.enrolment_code(partner))
    tasks = phone.page.get_by_test_id("tasks").get_by_role("link")

    expect(tasks).to_have_count(4)
    expect(tasks.nth(0)).to_contain_text("Correction asked for")
    expect(tasks.nth(0)).to_contain_text("Joy Eze")
    expect(tasks.nth(0)).to_contain_text(f"Comment: {COMMENT}")
    expect(tasks.nth(0)).to_contain_text("Version of the outcome report: 1")
    expect(tasks.nth(1)).to_contain_text("Month: 1")
    expect(tasks.nth(1)).to_contain_text("Overdue")
    expect(tasks.nth(3)).to_contain_text("Month: 3")

    phone.go("Settings")
    phone.page.get_by_label("Language").select_option("fr")
    phone.go("Tâches")
    expect(tasks.nth(0)).to_contain_text("Correction demandée")
    expect(tasks.nth(1)).to_contain_text("Rapport mensuel")
    expect(tasks.nth(1)).to_contain_text("En retard")
    phone.go("Réglages")
    phone.page.get_by_label("Langue").select_option("th")
    phone.go("งาน")
    expect(tasks.nth(1)).to_contain_text(re.compile("รายงานประจำเดือน"))
