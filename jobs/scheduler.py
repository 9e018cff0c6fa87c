"""Every scheduled job, registered in one place, and the scheduler that runs them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import sweeps, webhooks
from jobs.retention import erase_expired_personal_data
from models.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[Settings], Awaitable[object]]
    trigger: BaseTrigger
    #: How late a run may start after a pause (a restart, a busy machine) and still run.
    misfire_grace_time: int


#: In the order ``--once`` runs them: sweeps raise events, then webhooks deliver them.
JOBS = [
    Job(
        id="followup_sweep",
        run=sweeps.followup,
        trigger=IntervalTrigger(hours=1),
        misfire_grace_time=3600,
    ),
    Job(
        id="reflection_sweep",
        run=sweeps.reflection,
        trigger=IntervalTrigger(hours=1),
        misfire_grace_time=3600,
    ),
    Job(
        id="support_sweep",
        run=sweeps.support,
        trigger=IntervalTrigger(hours=1),
        misfire_grace_time=3600,
    ),
    Job(
        id="outcome_review_sweep",
        run=sweeps.outcome_review,
        trigger=IntervalTrigger(hours=1),
        misfire_grace_time=3600,
    ),
    Job(
        id="webhook_delivery",
        run=webhooks.deliver,
        trigger=IntervalTrigger(seconds=20),
        misfire_grace_time=60,
    ),
    Job(
        id="retention",
        run=erase_expired_personal_data,
        trigger=CronTrigger(hour=2, minute=30, timezone="UTC"),
        misfire_grace_time=6 * 3600,
    ),
]


def scheduler_for(settings: Settings) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(
            job.run,
            trigger=job.trigger,
            id=job.id,
            args=[settings],
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            replace_existing=True,
        )
    return scheduler


async def run_every_job_once(settings: Settings) -> None:
    """What ``tracker jobs --once`` does: each job one time, a failure logged, not fatal."""
    try:
        for job in JOBS:
            try:
                await job.run(settings)
            except Exception:
                log.exception("job %s failed", job.id)
    finally:
        await webhooks.close_client()
