"""The outcome report of a closed case is reviewed: its return organisation submits the latest
frozen version, the case's opener accepts it or returns it saying what to correct; a
correction, or a late change, makes a new version that is submitted next, the earlier steps
kept in the history."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest

from models import clock
from models.audit import AuditEntry
from models.events import sweeps
from models.events.deliveries import plan_deliveries
from models.outbox import Event
from models.outcomes.tables import OutcomeReviewStep
from tests.api.conftest import days_ago
from tests.api.test_outcomes import GOOD, MIDDLING, Returnee
from tests.api.test_personal_data_protection import _raw_database_text
from tests.conftest import Member

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

NOTE = "Month 4 was not visited: the road to her village was closed by floods"
COMMENT = "Month 3 has no report: ask the partner for it"


async def closed_case(client, authority, return_org, partner, outcome="completed") -> Returnee:
    """Arrived 200 days ago, months 1 and 2 reported, closed 5 days ago."""
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    await case.report(1, 185, MIDDLING)
    await case.report(2, 150, GOOD)
    await case.close(outcome, 5)
    return case


async def submit(
    case: Returnee, note: str | None = NOTE, *, status: int = 200, member: Member | None = None
) -> dict[str, Any]:
    member = member or case.journey.return_org
    body = {} if note is None else {"note": note}
    response = await case.client.post(
        f"{case.path}/outcome-report/submission", json=body, headers=member.headers
    )
    assert response.status_code == status, response.text
    return response.json()


async def review(
    case: Returnee, decision: str, comment: str | None = None, *, status: int = 200, **more: Any
) -> dict[str, Any]:
    body = {"decision": decision, **({"comment": comment} if comment is not None else {}), **more}
    response = await case.client.post(
        f"{case.path}/outcome-report/review", json=body, headers=case.journey.opener.headers
    )
    assert response.status_code == status, response.text
    return response.json()


def steps(report: dict[str, Any]) -> list[tuple[str, int, str | None]]:
    return [(s["action"], s["version"], s.get("comment")) for s in report["review"]["history"]]


async def count_steps(case: Returnee) -> int:
    return await OutcomeReviewStep.count().where(OutcomeReviewStep.case == uuid.UUID(case.id))


async def events_of(case: Returnee, type_: str) -> int:
    return await Event.count().where(Event.case_id == uuid.UUID(case.id), Event.type == type_)


# --- Submission -----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["completed", "lost_contact"])
async def test_the_return_org_submits_the_latest_version_of_a_closed_case_with_a_note(
    client, authority, return_org, partner, outcome
):
    case = await closed_case(client, authority, return_org, partner, outcome)
    before = await case.outcome_report(authority)
    assert before["review"] == {"status": "not_submitted", "version": 1, "history": []}

    answer = await submit(case)

    assert answer["id"] == case.id and answer["version"] is None
    assert (answer["review"]["status"], answer["review"]["version"]) == ("submitted", 1)
    (step,) = answer["review"]["history"]
    assert step["organisation_id"] == str(return_org.organisation_id)
    assert (step["action"], step["version"], step["comment"]) == ("submitted", 1, NOTE)
    assert (await case.outcome_report(authority))["review"] == answer["review"]


async def test_the_partner_sees_the_review_without_the_return_orgs_note(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "returned", COMMENT)

    history = (await case.outcome_report(partner))["review"]["history"]
    assert [s["action"] for s in history] == ["submitted", "returned"]
    assert "comment" not in history[0], "the note of a submission is a note of the case"
    assert history[1]["comment"] == COMMENT, "the partner corrects too"


async def test_an_open_case_has_nothing_to_review(client, authority, return_org, partner):
    case = await Returnee(client, authority, return_org, partner).arrive(200)

    report = await case.outcome_report(authority)
    assert report["review"] == {"status": "not_submitted", "version": None, "history": []}
    refused = await submit(case, status=409)
    assert "reintegration" in refused["detail"]
    await review(case, "accepted", status=409)


async def test_submitting_the_same_version_again_changes_nothing(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    first = await submit(case)

    again = await submit(case, "sent twice from a bad connection")

    assert again == first
    assert await count_steps(case) == 1
    assert await events_of(case, "outcome.submitted") == 1
    submitted = AuditEntry.action == "outcome.submitted"
    assert await AuditEntry.count().where(submitted) == 1


async def test_a_version_accepted_is_not_submitted_again(client, authority, return_org, partner):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "accepted")

    refused = await submit(case, status=409)
    assert "accepted" in refused["detail"]
    assert await count_steps(case) == 2


# --- Review ---------------------------------------------------------------------------------


async def test_the_opener_accepts_the_version_submitted_and_the_same_decision_changes_nothing(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)

    accepted = await review(case, "accepted", version=1)
    again = await review(case, "accepted")

    assert (accepted["review"]["status"], accepted["review"]["version"]) == ("accepted", 1)
    assert steps(accepted) == [("submitted", 1, NOTE), ("accepted", 1, None)]
    assert accepted["review"]["history"][1]["organisation_id"] == str(authority.organisation_id)
    assert again == accepted
    assert await count_steps(case) == 2
    assert await events_of(case, "outcome.accepted") == 1


async def test_a_centre_reviews_the_reports_of_the_cases_it_opened(
    client, centre, return_org, partner
):
    case = await Returnee(client, centre, return_org, partner).arrive(
        200, residence_status="legal_residence"
    )
    await case.close("completed", 5)
    await submit(case)

    assert (await review(case, "accepted"))["review"]["status"] == "accepted"


async def test_the_opener_returns_a_report_saying_what_to_correct(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)

    returned = await review(case, "returned", COMMENT)
    again = await review(case, "returned", COMMENT)

    assert (returned["review"]["status"], returned["review"]["version"]) == ("returned", 1)
    assert steps(returned) == [("submitted", 1, NOTE), ("returned", 1, COMMENT)]
    assert again == returned
    assert await events_of(case, "outcome.returned") == 1
    other = await review(case, "returned", "Something else entirely", status=409)
    assert "returned" in other["detail"]


@pytest.mark.parametrize("comment", [None, "   "], ids=["no_comment", "blank_comment"])
async def test_a_report_returned_without_a_comment_is_refused_naming_the_comment(
    client, authority, return_org, partner, comment
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)

    refused = await review(case, "returned", comment, status=422)

    assert [e["field"] for e in refused["errors"]] == ["comment"]
    assert (await case.outcome_report(authority))["review"]["status"] == "submitted"


async def test_reviewing_a_report_that_is_not_submitted_is_a_conflict(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await review(case, "accepted", status=409)
    await review(case, "returned", COMMENT, status=409)

    await submit(case)
    await review(case, "accepted")
    refused = await review(case, "returned", COMMENT, status=409)
    assert "accepted" in refused["detail"]
    assert (await case.outcome_report(authority))["review"]["status"] == "accepted"


async def test_reviewing_a_version_no_longer_the_one_submitted_is_a_conflict(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await case.report(3, 120, GOOD)  # a late report: version 2, not submitted yet

    await review(case, "accepted", version=1, status=409)
    await review(case, "accepted", status=409)
    await submit(case, None)
    stale = await review(case, "accepted", version=1, status=409)
    assert "version 2" in stale["detail"]
    assert (await review(case, "accepted", version=2))["review"]["version"] == 2


# --- Corrections and later changes ------------------------------------------------------------


async def test_a_late_payment_approved_after_acceptance_puts_the_new_version_to_review(
    client, authority, return_org, partner
):
    case = await Returnee(client, authority, return_org, partner).arrive(200)
    waiting = await case.pay("housing", "2000.00", "NGN", 160, relative=True)
    await case.close("completed", 5)
    await submit(case)
    await review(case, "accepted")

    await case.decide(waiting, "approval")

    report = await case.outcome_report(authority)
    assert [v["version"] for v in report["versions"]] == [1, 2]
    assert (report["review"]["status"], report["review"]["version"]) == ("not_submitted", 2)
    assert steps(report) == [("submitted", 1, NOTE), ("accepted", 1, None)]
    await submit(case, None)
    accepted = await review(case, "accepted")
    assert steps(accepted) == [
        ("submitted", 1, NOTE),
        ("accepted", 1, None),
        ("submitted", 2, None),
        ("accepted", 2, None),
    ]


async def test_a_returned_report_stays_returned_through_its_corrections_until_submitted_again(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "returned", COMMENT)

    await case.report(3, 120, GOOD)  # the correction asked for: version 2

    report = await case.outcome_report(return_org)
    assert [v["version"] for v in report["versions"]] == [1, 2]
    assert (report["review"]["status"], report["review"]["version"]) == ("returned", 1)
    submitted = await submit(case, None)
    assert (submitted["review"]["status"], submitted["review"]["version"]) == ("submitted", 2)
    assert steps(submitted)[-1] == ("submitted", 2, None)


async def test_a_returned_version_is_submitted_again_unchanged_only_with_a_note_saying_why(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "returned", COMMENT)

    for blank in (None, "  "):
        refused = await submit(case, blank, status=422)
        assert [e["field"] for e in refused["errors"]] == ["note"]
    why = "The person moved to Lagos in month 3; no visit was possible"
    again = await submit(case, why)

    assert (again["review"]["status"], again["review"]["version"]) == ("submitted", 1)
    assert steps(again) == [("submitted", 1, NOTE), ("returned", 1, COMMENT), ("submitted", 1, why)]


# --- The correction task, in /tasks and on phones ---------------------------------------------


async def tasks_of(client, member: Member, **params: Any) -> list[dict[str, Any]]:
    tasks, params = [], {"limit": 50, **params}
    while True:
        response = await client.get("/api/v1/tasks", params=params, headers=member.headers)
        assert response.status_code == 200, response.text
        tasks += response.json()["items"]
        if not response.json()["next_cursor"]:
            return tasks
        params["cursor"] = response.json()["next_cursor"]


async def sync(client, member: Member, since: str | None = None) -> dict[str, Any]:
    params = {"since": since} if since else {}
    response = await client.get("/api/v1/sync", params=params, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def corrections(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [task for task in tasks if task["kind"] == "outcome_correction"]


async def test_a_returned_report_gives_the_return_org_and_the_partner_a_correction_task(
    client, authority, return_org, partner, other_partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    returned = await review(case, "returned", COMMENT)

    for member in (return_org, partner):
        assert corrections(await tasks_of(client, member)) == [
            {
                "kind": "outcome_correction",
                "case_id": case.id,
                "case_reference": case.reference,
                "version": 1,
                "returned_at": returned["review"]["history"][-1]["at"],
                "comment": COMMENT,
            }
        ]
    assert corrections(await tasks_of(client, authority)) == [], "the opener asked for it"
    assert await tasks_of(client, other_partner) == []

    trail = await client.get(
        "/api/v1/audit", params={"case_id": case.id, "limit": 500}, headers=authority.headers
    )
    readers = {
        entry["organisation_id"]
        for entry in trail.json()["items"]
        if entry["action"] == "case.outcome_review_read"
    }
    assert readers == {str(return_org.organisation_id), str(partner.organisation_id)}


async def test_monthly_report_tasks_keep_their_fields_beside_corrections(
    client, authority, return_org, partner
):
    returned = await closed_case(client, authority, return_org, partner)
    await submit(returned)
    await review(returned, "returned", COMMENT)
    following = await Returnee(client, authority, return_org, partner).arrive(75)

    tasks = await tasks_of(client, partner, limit=1)  # a case a page

    monthly = [task for task in tasks if task["kind"] == "monthly_report"]
    assert {task["case_id"] for task in monthly} == {following.id}
    assert {frozenset(task) for task in monthly} == {
        frozenset({"kind", "case_id", "case_reference", "month", "due_on", "overdue"})
    }
    (correction,) = corrections(tasks)
    assert correction["case_id"] == returned.id
    assert "month" not in correction and "due_on" not in correction


async def test_the_correction_reaches_phones_by_sync_and_ends_when_submitted_again(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    token = (await sync(client, partner))["next"]

    await review(case, "returned", COMMENT)
    changed = await sync(client, partner, token)
    assert [c["id"] for c in changed["cases"]] == [case.id]
    assert [(t["kind"], t["comment"]) for t in changed["tasks"]] == [
        ("outcome_correction", COMMENT)
    ]

    await case.report(3, 120, GOOD)  # the correction
    await submit(case, None)
    after = await sync(client, partner, changed["next"])
    assert case.id in [c["id"] for c in after["cases"]]
    assert after["tasks"] == []
    assert corrections(await tasks_of(client, partner)) == []
    assert corrections(await tasks_of(client, return_org)) == []


# --- Notes and comments are personal data -----------------------------------------------------


async def test_erasing_the_persons_data_erases_the_notes_and_comments_of_the_review(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "returned", COMMENT)

    erased = await client.post(
        f"{case.path}/erasure",
        json={"reason": "The person asked for it"},
        headers=authority.headers,
    )
    assert erased.status_code == 200, erased.text

    report = await case.outcome_report(authority)
    assert steps(report) == [("submitted", 1, None), ("returned", 1, None)], "dates stay"
    (task,) = corrections(await tasks_of(client, partner))
    assert task["comment"] is None, "the correction stays asked for, without its words"
    rows = await OutcomeReviewStep.select(OutcomeReviewStep.comment).where(
        OutcomeReviewStep.case == uuid.UUID(case.id)
    )
    assert [row["comment"] for row in rows] == [None, None]


async def test_notes_and_comments_never_appear_in_clear_in_the_database_or_the_logs(
    client, settings, authority, return_org, partner, caplog
):
    caplog.set_level(logging.DEBUG)
    note, comment = "Canary Brixomantel moved house", "Canary Fendurqual: ask about the shop"
    case = await closed_case(client, authority, return_org, partner)
    await submit(case, note)
    returned = await review(case, "returned", comment)
    assert steps(returned)[-1] == ("returned", 1, comment)
    await tasks_of(client, partner)
    await sync(client, return_org)
    await sweeps.outcome_review_sweep(now=clock.now() + timedelta(days=31))
    await plan_deliveries()

    stored = await _raw_database_text(settings)
    for secret in ("Brixomantel", "Fendurqual"):
        assert secret not in stored, f"{secret} is stored in clear"
        assert secret not in caplog.text, f"{secret} was logged"


# --- The queue --------------------------------------------------------------------------------


async def queue_of(client, member: Member, **params: Any) -> list[dict[str, Any]]:
    items, params = [], {"limit": 1, **params}
    while True:
        response = await client.get(
            "/api/v1/outcome-reviews", params=params, headers=member.headers
        )
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        if not response.json()["next_cursor"]:
            return items
        params["cursor"] = response.json()["next_cursor"]


async def test_the_queue_lists_reviews_in_a_status_the_longest_waiting_first(
    client, authority, return_org, partner, clock
):
    first, second, third = [
        await closed_case(client, authority, return_org, partner) for _ in range(3)
    ]
    closed_on = days_ago(5)
    await submit(second)
    clock.move_to(clock.now() + timedelta(hours=1))
    await submit(first)

    waiting = await queue_of(client, authority, status="submitted")

    assert [item["case_id"] for item in waiting] == [second.id, first.id]
    assert waiting[0] == {
        "case_id": second.id,
        "case_reference": second.reference,
        "status": "submitted",
        "version": 1,
        "submitted_at": waiting[0]["since"],
        "closed_on": closed_on,
        "outcome": "completed",
        "since": waiting[0]["since"],
    }
    assert [i["case_id"] for i in await queue_of(client, return_org, status="not_submitted")] == [
        third.id
    ]
    everything = await queue_of(client, partner)
    assert [item["case_id"] for item in everything] == [third.id, second.id, first.id]
    assert await queue_of(client, authority, status="returned") == []


@pytest.mark.parametrize(
    ("params", "field"), [({"status": "pending"}, "status"), ({"cursor": "zzz"}, "cursor")]
)
async def test_a_queue_asked_with_an_unknown_status_or_cursor_is_refused(
    client, authority, params, field
):
    response = await client.get("/api/v1/outcome-reviews", params=params, headers=authority.headers)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_the_printable_page_shows_the_review_with_its_words_escaped(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case, "<b>floods</b> & roads")
    await review(case, "returned", '<script>alert("x")</script>')

    page = await client.get(
        f"{case.path}/outcome-report", headers={**authority.headers, "Accept": "text/html"}
    )
    assert page.status_code == 200
    assert "<h2>Review</h2>" in page.text and "<p>returned, version 1</p>" in page.text
    assert "&lt;b&gt;floods&lt;/b&gt; &amp; roads" in page.text
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    partners = await client.get(
        f"{case.path}/outcome-report", headers={**partner.headers, "Accept": "text/html"}
    )
    assert "floods" not in partners.text and "&lt;script&gt;" in partners.text
