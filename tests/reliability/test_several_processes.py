"""Several processes on one PostgreSQL database: two API processes and one jobs process.

Phones' reports and payments go to both API processes at once, and one of them is killed
with SIGKILL in the middle of the load. Every write acknowledged with a 2xx by either
process is there exactly once; sync answers the same sequence from either process; the
jobs process delivers each event to the webhook once. A phone that lost its answer sends
again to the process still up and gets 200 or 201, never a conflict.

The moment of the kill is random; ``TRACKER_CRASH_SEED`` replays one.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.organisations import OrganisationKind
from models.settings import Settings
from tests.api.conftest import Journey, days_ago
from tests.clock import faked
from tests.jobs.conftest import Receiver
from tests.reliability.server import SERVE, Server
from tests.reliability.test_crash_recovery import SEED, Load, _people, _write

WRITERS_EACH = 4
#: Deliveries run every 20 s in the jobs process, each run for a bounded time: on a quiet
#: machine the writers send many hundreds of events, which take several runs. The wait
#: ends as soon as every event has come.
DELIVERED_WITHIN = 240
EVENTS = {"report.submitted": "report_id", "payment.recorded": "payment_id"}


async def _synced(http: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    """Every report and payment sync gives, in the order it gives them, page after page."""
    seen: list[tuple[str, str]] = []
    since: str | None = None
    while True:
        response = await http.get(
            "/api/v1/sync", params={"since": since} if since else {}, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [(kind, item["id"]) for kind in ("reports", "payments") for item in page[kind]]
        since = page["next"]
        if not page["more"]:
            return seen


async def _delivered(receiver: Receiver, expected: int) -> list[dict[str, Any]]:
    for _ in range(DELIVERED_WITHIN * 4):
        if len(receiver.requests) >= expected:
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(0.5)  # a duplicate would come now
    return receiver.events()


@pytest.mark.slow
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
async def test_two_api_processes_and_one_jobs_process_share_one_database(
    settings: Settings, tmp_path: Path
):
    rng = random.Random(SEED)  # noqa: S311 - a replayable kill, not a secret
    members = await _people(settings)
    receiver = Receiver()
    local = {"TRACKER_RATE_LIMIT": "0", "TRACKER_WEBHOOK_HTTP_HOSTS": "127.0.0.1"}
    first, second = Server(settings, tmp_path, **local), Server(settings, tmp_path, **local)
    jobs_log = tmp_path / "jobs.log"
    with open(jobs_log, "wb") as log:  # noqa: ASYNC230 - a small local log, once
        jobs = await asyncio.create_subprocess_exec(
            *faked([sys.executable, "-c", SERVE, "jobs"]),
            cwd=tmp_path,
            env=first._env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    load = Load()
    try:
        await asyncio.gather(first.start(), second.start())
        limits = httpx.Limits(max_connections=WRITERS_EACH * 2)
        async with (
            httpx.AsyncClient(base_url=first.url, timeout=20, limits=limits) as one,
            httpx.AsyncClient(base_url=second.url, timeout=20, limits=limits) as two,
        ):
            journey = Journey(
                one,
                members[OrganisationKind.authority],
                members[OrganisationKind.return_org],
                members[OrganisationKind.partner],
            )
            hook = await two.post(
                "/api/v1/webhooks",
                json={"url": receiver.url, "events": list(EVENTS), "secret": "s" * 32},
                headers=journey.partner.headers,
            )
            assert hook.status_code == 201, hook.text
            await journey.open()
            await journey.plan(
                budget=[{"category": "housing", "amount": "999999.00", "currency": "NGN"}]
            )
            await journey.depart(on=days_ago(76))
            await journey.arrive(on=days_ago(75))

            stop = asyncio.Event()
            writers = [
                asyncio.create_task(_write(http, journey, load, random.Random(rng.random()), stop))  # noqa: S311
                for http in (one, two)
                for _ in range(WRITERS_EACH)
            ]
            kill_after = rng.uniform(0.5, 2.0)
            await asyncio.sleep(kill_after)
            first.kill()
            await asyncio.sleep(1.0)  # the second process carries on alone
            stop.set()
            await asyncio.gather(*writers)
            assert await first.wait() != 0

            context = f"seed {SEED}: first process killed after {kill_after:.2f} s"
            assert load.refused == [], context
            assert len(load.acknowledged) >= 10, f"{context}: too little load before the kill"
            # A phone that lost its answer sends again, to the process still up.
            for record_id in load.unacknowledged:
                kind, body = load.sent[record_id]
                retried = await two.post(
                    f"{journey.path}/{kind}", json=body, headers=journey.partner.headers
                )
                assert retried.status_code in (200, 201), (context, retried.text)

            await first.start()  # on the same database, beside the second
            from_first = await _synced(one, journey.partner.headers)
            from_second = await _synced(two, journey.partner.headers)
        delivered = await _delivered(receiver, expected=len(load.sent))
    finally:
        receiver.server.shutdown()
        await asyncio.gather(first.stop(), second.stop())
        if jobs.returncode is None:
            jobs.terminate()
            await asyncio.wait_for(jobs.wait(), timeout=15)

    context = f"{context}; {len(load.acknowledged)} acknowledged, {len(load.sent)} sent"
    print(context)  # shown with -rP: how much load the kill interrupted
    assert from_first == from_second, f"{context}: sync differs between the processes"
    synced = Counter(record_id for _, record_id in from_first)
    assert synced == Counter(dict.fromkeys(load.sent, 1)), (
        f"{context}: each write sent (all acknowledged by now) is there once"
    )

    assert Counter(event["id"] for event in delivered).most_common(1)[0][1] == 1, (
        f"{context}: an event was delivered twice"
    )
    about = Counter(event["data"][EVENTS[event["type"]]] for event in delivered)
    assert about == Counter(dict.fromkeys(load.sent, 1)), (
        f"{context}: each write's event delivered once\n{jobs_log.read_text()[-2000:]}"
    )
