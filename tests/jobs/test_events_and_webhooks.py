"""Those who must act learn in time, without polling: events in an outbox, sweeps that
raise each event once, and signed webhooks delivered to a real local receiver."""

import asyncio
import hashlib
import hmac
import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from jobs import webhooks as delivery_job
from jobs.scheduler import run_every_job_once
from models import clock, database, outbox
from models.events import sweeps
from models.events.tables import Delivery
from models.outbox import Event
from models.settings import Settings
from tests.api.conftest import Journey, days_ago, payment_body, report_body
from tests.clock import faked
from tests.jobs.conftest import PUBLIC

#: Answers depend on today: CI also runs these at hostile instants (see .ci/run).
pytestmark = pytest.mark.dates

SECRET = "a-long-shared-secret-0123456789"
#: The local receiver's host, named in the setting meant for it (TRACKER_WEBHOOK_HTTP_HOSTS).
LOCAL = frozenset({"127.0.0.1"})


async def _types(case_id) -> list[str]:
    return [
        e["type"]
        for e in await Event.select(Event.type)
        .where(Event.case_id == case_id)
        .order_by(Event.occurred_at)
    ]


async def _subscribe(journey: Journey, member, url: str, events: list[str]) -> dict:
    response = await journey.client.post(
        "/api/v1/webhooks",
        json={"url": url, "events": events, "secret": SECRET},
        headers=member.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_every_change_of_interest_writes_its_event_with_the_change(returned: Journey):
    body = payment_body(recipient="relative", relative_justification="mother receives it")
    await returned.client.post(
        f"{returned.path}/reports", json=report_body(), headers=returned.partner.headers
    )
    await returned.client.post(
        f"{returned.path}/payments", json=body, headers=returned.partner.headers
    )
    await returned.client.post(
        f"{returned.path}/payments/{body['id']}/approval", headers=returned.return_org.headers
    )
    await returned.close()
    assert await _types(returned.case["id"]) == [
        "case.opened",
        "case.planned",
        "case.departed",
        "case.arrived",
        "report.submitted",
        "payment.recorded",
        "payment.pending_approval",
        "payment.approved",
        "case.closed",
    ]


async def test_a_refused_change_writes_no_event(journey: Journey):
    await journey.open()
    await journey.client.post(
        f"{journey.path}/departure",
        json={"departed_on": days_ago(1)},
        headers=journey.return_org.headers,
    )
    assert await _types(journey.case["id"]) == ["case.opened"]


async def test_overdue_months_are_raised_once_and_two_in_a_row_escalate(returned: Journey):
    today = clock.today()
    assert (
        await sweeps.followup_sweep(today=today, grace_days=7) == 3
    )  # months 1, 2 and the escalation
    assert await sweeps.followup_sweep(today=today, grace_days=7) == 0
    events = await Event.select(Event.type, Event.data).where(
        Event.case_id == returned.case["id"], Event.type.like("followup.%")
    )
    assert sorted((e["type"], json.loads(e["data"]).get("month")) for e in events) == [
        ("followup.escalated", None),
        ("followup.overdue", 1),
        ("followup.overdue", 2),
    ]


async def test_one_bad_case_does_not_stop_a_sweep(returned: Journey, monkeypatch):
    other = Journey(returned.client, returned.opener, returned.return_org, returned.partner)
    await other.open()
    await other.plan()
    await other.depart(on=days_ago(76))
    await other.arrive(on=days_ago(75))
    real = sweeps.overdue_months
    broken = returned.case["id"]

    def overdue_unless_broken(arrived_on, reported, **kwargs):
        if reported == {"poison"}:
            raise RuntimeError("a corrupt case")
        return real(arrived_on, reported, **kwargs)

    original_months = sweeps.months_reported

    async def poisoned(case_ids):
        reported = await original_months(case_ids)
        reported[__import__("uuid").UUID(broken)] = {"poison"}
        return reported

    monkeypatch.setattr(sweeps, "overdue_months", overdue_unless_broken)
    monkeypatch.setattr(sweeps, "months_reported", poisoned)
    assert await sweeps.followup_sweep(today=clock.today(), grace_days=7) == 3
    assert "followup.overdue" in await _types(other.case["id"])
    assert "followup.overdue" not in await _types(returned.case["id"])


async def test_reflection_ending_is_raised_a_week_ahead_and_again_after_an_extension(
    journey: Journey,
):
    case = await journey.open(reflection_period_start=days_ago(25))
    today = clock.today()
    assert await sweeps.reflection_sweep(today=today) == 1
    assert await sweeps.reflection_sweep(today=today) == 0
    await journey.client.post(
        f"{journey.path}/reflection-extensions",
        json={"days": 1, "reason": "special reasons"},
        headers=journey.opener.headers,
    )
    assert await sweeps.reflection_sweep(today=today) == 1
    assert (await _types(case["id"])).count("reflection.ending") == 2


async def test_support_end_is_raised_with_the_months_missing(journey: Journey):
    await journey.open(identified_on="2025-01-10", reflection_period_start="2025-01-10")
    await journey.plan(agreed_on="2025-02-01")
    await journey.depart(on="2025-03-01")
    await journey.arrive(on="2025-03-02")
    await journey.client.post(
        f"{journey.path}/reports",
        json=report_body(visited_on="2025-03-20"),
        headers=journey.partner.headers,
    )
    assert await sweeps.support_sweep(today=date(2025, 9, 2)) == 1
    event = await Event.select(Event.data).where(Event.type == "support.ended").first()
    assert json.loads(event["data"])["months_without_report"] == [2, 3, 4, 5, 6]


async def test_sweeps_send_as_many_statements_for_five_cases_as_for_two(
    journey: Journey, monkeypatch
):
    """Set-based: the cases are read, and their events written, a batch per statement."""
    statements = []
    engine_class = type(database.current())
    original = engine_class.run_querystring

    async def counting(self, querystring, *args, **kwargs):
        statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    async def sweep_statements(cases: int) -> tuple[int, int]:
        for _ in range(cases):
            other = Journey(journey.client, journey.opener, journey.return_org, journey.partner)
            await other.open()
            await other.plan()
            await other.depart(on=days_ago(76))
            await other.arrive(on=days_ago(75))
        statements.clear()
        monkeypatch.setattr(engine_class, "run_querystring", counting)
        later = clock.today() + timedelta(days=400)
        raised = await sweeps.followup_sweep(today=later, grace_days=7)
        raised += await sweeps.support_sweep(today=later)
        monkeypatch.setattr(engine_class, "run_querystring", original)
        return len(statements), raised

    two, raised_for_two = await sweep_statements(2)
    five, raised_for_five = await sweep_statements(5)
    assert raised_for_two == 2 * (6 + 5 + 1), "six overdue, five escalated, support ended"
    assert raised_for_five == 5 * (6 + 5 + 1), "the first two raised theirs already"
    assert two == five


async def test_a_sweep_writes_more_events_than_one_statement_holds(journey: Journey, monkeypatch):
    """Due events in several batches: every event is written, once."""
    monkeypatch.setattr(outbox, "BATCH", 4)
    for _ in range(3):
        other = Journey(journey.client, journey.opener, journey.return_org, journey.partner)
        await other.open()
        await other.plan()
        await other.depart(on=days_ago(76))
        await other.arrive(on=days_ago(75))
    later = clock.today() + timedelta(days=400)
    assert await sweeps.followup_sweep(today=later, grace_days=7) == 3 * (6 + 5)
    assert await sweeps.followup_sweep(today=later, grace_days=7) == 0
    assert await Event.count().where(Event.type == "followup.overdue") == 3 * 6


async def test_a_webhook_receives_signed_events_of_its_reach_only(
    returned: Journey, receiver, other_partner
):
    await _subscribe(
        returned, returned.partner, receiver.url, ["followup.overdue", "report.submitted"]
    )
    await _subscribe(
        returned, other_partner, receiver.url.replace("/hook", "/other"), ["followup.overdue"]
    )
    await sweeps.followup_sweep(today=clock.today(), grace_days=7)

    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 2

    assert all(r["path"] == "/hook" for r in receiver.requests), (
        "the other partner does not reach the case"
    )
    request = receiver.requests[0]
    timestamp = request["headers"]["x-tracker-timestamp"]
    signed = f"{timestamp}.".encode() + request["body"]
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert request["headers"]["x-tracker-signature"] == f"t={timestamp},v1={expected}"
    assert abs(int(timestamp) - clock.now().timestamp()) < 60
    body = json.loads(request["body"])
    assert request["headers"]["x-tracker-event-id"] == body["id"]
    assert set(body) == {"id", "type", "occurred_at", "case_id", "case_reference", "data"}
    assert "Blessing" not in request["body"].decode() and "Okafor" not in request["body"].decode()


def readme_receiver_check():
    """The receiver's check the README shows, taken from the README itself."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    after = readme.split("A receiver checks the signature", 1)[1]
    code = after.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the README's own example, run as a receiver would
    return namespace["verify"]


async def test_the_readme_receiver_check_accepts_a_fresh_delivery_and_refuses_a_replay(
    returned: Journey, receiver
):
    await _subscribe(returned, returned.partner, receiver.url, ["report.submitted"])
    await returned.client.post(
        f"{returned.path}/reports", json=report_body(), headers=returned.partner.headers
    )
    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 1
    (request,) = receiver.requests
    body, header = request["body"], request["headers"]["x-tracker-signature"]
    verify = readme_receiver_check()
    now = clock.now().timestamp()
    assert verify(SECRET, body, header, now=now)
    assert not verify(SECRET, body, header, now=now + 600), "replayed ten minutes later"
    assert not verify(SECRET, body.replace(b"report", b"rep0rt"), header, now=now)
    assert not verify("another secret, sixteen long", body, header, now=now)
    assert not verify(SECRET, body, header.replace("t=", "t=1"), now=now)


async def test_a_failed_delivery_is_retried_then_given_up_after_a_day(returned: Journey, receiver):
    hook = await _subscribe(returned, returned.partner, receiver.url, ["report.submitted"])
    receiver.statuses = [500]
    await returned.client.post(
        f"{returned.path}/reports", json=report_body(), headers=returned.partner.headers
    )
    async with delivery_job.shared_client() as client:
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 0
        delivery = await Delivery.select().first()
        assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
        assert delivery["next_attempt_at"] > datetime.now(UTC)

        await Delivery.update({Delivery.next_attempt_at: datetime.now(UTC)}).where(
            Delivery.id == delivery["id"]
        )
        assert await delivery_job.deliver_due(client, trusted_hosts=LOCAL) == 1

        receiver.statuses = [503, 503]
        await returned.client.post(
            f"{returned.path}/reports", json=report_body(), headers=returned.partner.headers
        )
        await delivery_job.deliver_due(client, trusted_hosts=LOCAL)
        late = (await Delivery.select().where(Delivery.status == "pending").first())["id"]
        await Delivery.update(
            {
                Delivery.next_attempt_at: datetime.now(UTC),
                Delivery.created_at: datetime.now(UTC) - timedelta(hours=25),
            }
        ).where(Delivery.id == late)
        await delivery_job.deliver_due(client, trusted_hosts=LOCAL)

    listed = await returned.client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", headers=returned.partner.headers
    )
    by_status = sorted(
        (d["status"], [a.get("status_code") for a in d["attempts"]]) for d in listed.json()["items"]
    )
    assert by_status == [("delivered", [500, 200]), ("failed", [503, 503])]


async def test_webhooks_need_https_and_belong_to_their_organisation(
    returned: Journey, other_partner, dns
):
    dns.point("ngo.example", PUBLIC)
    refused = await returned.client.post(
        "/api/v1/webhooks",
        json={"url": "http://example.org/hook", "events": ["case.opened"], "secret": SECRET},
        headers=returned.partner.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "url"
    hook = await _subscribe(returned, returned.partner, "https://ngo.example/hook", ["case.opened"])
    listed = await returned.client.get("/api/v1/webhooks", headers=returned.partner.headers)
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    assert "secret" not in listed.text and SECRET not in listed.text
    assert (
        await returned.client.delete(
            f"/api/v1/webhooks/{hook['id']}", headers=other_partner.headers
        )
    ).status_code == 404
    assert (
        await returned.client.delete(
            f"/api/v1/webhooks/{hook['id']}", headers=returned.partner.headers
        )
    ).status_code == 204
    assert (await returned.client.get("/api/v1/webhooks", headers=returned.partner.headers)).json()[
        "items"
    ] == []


async def test_jobs_once_yields_an_overdue_task_and_a_delivered_webhook(
    returned: Journey, receiver, settings: Settings
):
    await _subscribe(returned, returned.partner, receiver.url, ["followup.overdue"])
    await run_every_job_once(settings)
    tasks = (await returned.client.get("/api/v1/tasks", headers=returned.partner.headers)).json()[
        "items"
    ]
    assert any(t["month"] == 1 and t["overdue"] for t in tasks)
    assert sorted(e["data"]["month"] for e in receiver.events("followup.overdue")) == [1, 2]


async def test_two_job_processes_raise_and_deliver_each_event_once(
    returned: Journey, receiver, settings: Settings
):
    await _subscribe(
        returned, returned.partner, receiver.url, ["followup.overdue", "followup.escalated"]
    )
    iom = receiver.url.replace("/hook", "/iom")
    await _subscribe(returned, returned.return_org, iom, ["followup.escalated"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env |= {
        "TRACKER_DATABASE_URL": settings.database_url,
        "TRACKER_DATA_DIR": str(settings.data_dir),
        "TRACKER_WEBHOOK_HTTP_HOSTS": "127.0.0.1",
    }
    runs = [
        await asyncio.create_subprocess_exec(
            *faked([sys.executable, "-c", "from api.cli import main; main()", "jobs", "--once"]),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for run in runs:
        _, errors = await asyncio.wait_for(run.communicate(), timeout=120)
        assert run.returncode == 0, errors.decode()[-2000:]

    delivered = sorted((r["path"], json.loads(r["body"])["type"]) for r in receiver.requests)
    assert delivered == [
        ("/hook", "followup.overdue"),
        ("/hook", "followup.overdue"),
        ("/iom", "followup.escalated"),
    ], "escalations go to the return organisation only, and each event once"
    assert await Event.count().where(Event.type.like("followup.%")) == 3


async def test_the_case_shows_that_support_ended_and_what_is_missing(journey: Journey):
    await journey.open(identified_on="2025-01-10", reflection_period_start="2025-01-10")
    await journey.plan(agreed_on="2025-02-01")
    await journey.depart(on="2025-03-01")
    await journey.arrive(on="2025-03-02")
    await journey.client.post(
        f"{journey.path}/reports",
        json=report_body(month=2, visited_on="2025-04-20"),
        headers=journey.partner.headers,
    )
    case = (await journey.client.get(journey.path, headers=journey.return_org.headers)).json()
    assert case["support_ended"] is True
    assert case["months_without_report"] == [1, 3, 4, 5, 6]
