"""Those who must act on an outcome review learn it: each step raises its event, reminders
come once when a report waits 30 days to be submitted or reviewed, each to the organisation
that must act, and no event or delivery carries a note or a comment."""

from __future__ import annotations

import importlib
import json
import uuid
from datetime import timedelta

import pytest

from jobs import webhooks as delivery_job
from models import clock, database
from models.events import sweeps
from models.outbox import Event
from models.outcomes.tables import FrozenOutcomeReport, OutcomeReview
from tests.api.test_outcome_review import COMMENT, NOTE, closed_case, review, submit
from tests.api.test_outcomes import GOOD, Returnee

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

SECRET = "a-long-shared-secret-0123456789"
LOCAL = frozenset({"127.0.0.1"})
REVIEW_EVENTS = ["outcome.submitted", "outcome.returned", "outcome.accepted"]
REMINDERS = ["outcome.not_submitted", "outcome.review_pending"]
#: The migration that gave the cases closed before it their review.
DEPLOYMENT = importlib.import_module("models.migrations.tracker_2026_12_01t22_14_00_000000")


async def _events(case: Returnee) -> list[tuple[str, dict]]:
    rows = (
        await Event.select(Event.type, Event.data)
        .where(Event.case_id == uuid.UUID(case.id), Event.type.like("outcome.%"))
        .order_by(Event.occurred_at)
    )
    return [(row["type"], json.loads(row["data"])) for row in rows]


async def _subscribe(client, member, url: str, events: list[str]) -> None:
    response = await client.post(
        "/api/v1/webhooks",
        json={"url": url, "events": events, "secret": SECRET},
        headers=member.headers,
    )
    assert response.status_code == 201, response.text


def _in(days: int):
    return clock.now() + timedelta(days=days)


async def test_each_step_of_a_review_writes_its_event_without_note_or_comment(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "returned", COMMENT)
    await case.report(3, 120, GOOD)  # the correction: version 2
    await submit(case, "Month 3 added")
    await review(case, "accepted")

    assert await _events(case) == [
        ("outcome.submitted", {"version": 1}),
        ("outcome.returned", {"version": 1}),
        ("outcome.submitted", {"version": 2}),
        ("outcome.accepted", {"version": 2}),
    ]
    refused = await client.post(
        f"{case.path}/outcome-report/review",
        json={"decision": "returned", "comment": COMMENT},
        headers=authority.headers,
    )
    assert refused.status_code == 409
    assert len(await _events(case)) == 4, "a refused step writes no event"


async def test_webhooks_hear_each_step_and_no_delivery_carries_a_note_or_comment(
    client, authority, return_org, partner, receiver
):
    for member, path in ((authority, "/opener"), (return_org, "/iom"), (partner, "/ngo")):
        await _subscribe(client, member, receiver.url.replace("/hook", path), REVIEW_EVENTS)
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)
    await review(case, "returned", COMMENT)

    async with delivery_job.shared_client() as http:
        assert await delivery_job.deliver_due(http, trusted_hosts=LOCAL) == 6

    heard = sorted((r["path"], json.loads(r["body"])["type"]) for r in receiver.requests)
    assert heard == sorted(
        (path, event)
        for path in ("/opener", "/iom", "/ngo")
        for event in ("outcome.submitted", "outcome.returned")
    )
    for request in receiver.requests:
        body = request["body"].decode()
        assert NOTE not in body and COMMENT not in body
        assert json.loads(body)["data"] == {"version": 1}


async def test_a_report_waiting_30_days_to_be_submitted_is_a_reminder_once_per_version(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)

    assert await sweeps.outcome_review_sweep(now=_in(29)) == 0
    assert await sweeps.outcome_review_sweep(now=_in(31)) == 1
    assert await sweeps.outcome_review_sweep(now=_in(32)) == 0
    await case.report(3, 120, GOOD)  # a new version: its own 30 days
    assert await sweeps.outcome_review_sweep(now=_in(29)) == 0
    assert await sweeps.outcome_review_sweep(now=_in(31)) == 1

    reminders = await _events(case)
    assert [(t, d["version"]) for t, d in reminders] == [
        ("outcome.not_submitted", 1),
        ("outcome.not_submitted", 2),
    ]


async def test_a_report_waiting_30_days_for_review_is_a_reminder_once(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    await submit(case)

    assert await sweeps.outcome_review_sweep(now=_in(29)) == 0
    assert await sweeps.outcome_review_sweep(now=_in(31)) == 1
    assert await sweeps.outcome_review_sweep(now=_in(40)) == 0
    await review(case, "accepted")
    assert await sweeps.outcome_review_sweep(now=_in(100)) == 0, "decided: nothing waits"

    types = [t for t, _ in await _events(case)]
    assert types == ["outcome.submitted", "outcome.review_pending", "outcome.accepted"]


async def test_each_reminder_reaches_only_the_organisation_that_must_act(
    client, authority, return_org, partner, receiver
):
    for member, path in ((authority, "/opener"), (return_org, "/iom"), (partner, "/ngo")):
        await _subscribe(client, member, receiver.url.replace("/hook", path), REMINDERS)
    waiting = await closed_case(client, authority, return_org, partner)
    submitted = await closed_case(client, authority, return_org, partner)
    await submit(submitted)

    assert await sweeps.outcome_review_sweep(now=_in(31)) == 2
    async with delivery_job.shared_client() as http:
        assert await delivery_job.deliver_due(http, trusted_hosts=LOCAL) == 2

    heard = sorted(
        (r["path"], json.loads(r["body"])["type"], json.loads(r["body"])["case_id"])
        for r in receiver.requests
    )
    assert heard == [
        ("/iom", "outcome.not_submitted", waiting.id),
        ("/opener", "outcome.review_pending", submitted.id),
    ]


async def test_cases_closed_before_reviews_existed_wait_from_the_deployment(
    client, authority, return_org, partner, clock
):
    earlier = await closed_case(client, authority, return_org, partner)
    open_case = await Returnee(client, authority, return_org, partner).arrive(75)
    await OutcomeReview.delete().where(OutcomeReview.id == uuid.UUID(earlier.id))
    clock.move_to(_in(60))  # the deployment, two months after the closure

    async with database.transaction():
        await DEPLOYMENT.open_reviews_of_closed_cases()

    (row,) = await OutcomeReview.select()
    assert (row["id"], row["status"], row["version"]) == (uuid.UUID(earlier.id), "not_submitted", 1)
    assert abs(row["since"] - clock.now()) < timedelta(minutes=1)
    assert open_case.id != str(row["id"]), "a case still open has no review"
    assert await sweeps.outcome_review_sweep(now=_in(1)) == 0, "not all at once on deployment"
    assert await sweeps.outcome_review_sweep(now=_in(31)) == 1


async def test_a_case_closed_before_reports_were_frozen_is_frozen_when_submitted(
    client, authority, return_org, partner
):
    case = await closed_case(client, authority, return_org, partner)
    case_id = uuid.UUID(case.id)
    await FrozenOutcomeReport.delete().where(FrozenOutcomeReport.case == case_id)
    await OutcomeReview.delete().where(OutcomeReview.id == case_id)
    async with database.transaction():
        await DEPLOYMENT.open_reviews_of_closed_cases()
    assert (await case.outcome_report(authority))["review"]["version"] is None

    submitted = await submit(case)

    assert [(v["version"], v["reason"]) for v in submitted["versions"]] == [(1, "closure")]
    assert (submitted["review"]["status"], submitted["review"]["version"]) == ("submitted", 1)


async def test_the_review_sweep_sends_as_many_statements_for_five_cases_as_for_two(
    client, authority, return_org, partner, monkeypatch
):
    """Set-based: the waiting reviews are read, and their reminders written, a batch per
    statement."""
    statements: list[str] = []
    engine_class = type(database.current())
    original = engine_class.run_querystring

    async def counting(self, querystring, *args, **kwargs):
        statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    async def sweep_statements(cases: int) -> tuple[int, int]:
        for _ in range(cases):
            await closed_case(client, authority, return_org, partner)
        statements.clear()
        monkeypatch.setattr(engine_class, "run_querystring", counting)
        raised = await sweeps.outcome_review_sweep(now=_in(31))
        monkeypatch.setattr(engine_class, "run_querystring", original)
        return len(statements), raised

    two, raised_for_two = await sweep_statements(2)
    five, raised_for_five = await sweep_statements(5)
    assert (raised_for_two, raised_for_five) == (2, 5), "the first two raised theirs already"
    assert two == five
