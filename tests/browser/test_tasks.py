"""The Tasks screen: monthly reports whose month has begun, soonest first, and any other
kind of task the tracker sends, in the words of the worker's language."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Route, expect


def test_tasks_of_every_kind_show_in_the_workers_words(phone, tracker):
    partner = tracker.worker()
    case = tracker.case(partner)
    correction = {
        "kind": "outcome_correction",
        "case_id": case.id,
        "comment": "Month 2 lacks the visit date",
    }

    def with_correction(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["items"].append(correction)
        route.fulfill(response=answer, body=json.dumps(body))

    phone.page.route(re.compile(r"/api/v1/tasks"), with_correction)
    phone.enrol(tracker.enrolment_code(partner))
    tasks = phone.page.get_by_test_id("tasks").get_by_role("link")

    expect(tasks).to_have_count(4)
    expect(tasks.nth(0)).to_contain_text("Correction asked for")
    expect(tasks.nth(0)).to_contain_text("Comment: Month 2 lacks the visit date")
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
    expect(tasks.nth(1)).to_contain_text("รายงานประจำเดือน")
