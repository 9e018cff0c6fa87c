"""The sweeps as jobs: each passes today's date (or the instant) and the settings to the domain
sweep."""

from __future__ import annotations

import logging

from models import clock
from models.events import sweeps
from models.settings import Settings

log = logging.getLogger(__name__)


async def followup(settings: Settings) -> int:
    raised = await sweeps.followup_sweep(today=clock.today(), grace_days=settings.report_grace_days)
    log.info("follow-up sweep: %d events", raised)
    return raised


async def reflection(settings: Settings) -> int:
    raised = await sweeps.reflection_sweep(today=clock.today())
    log.info("reflection sweep: %d events", raised)
    return raised


async def support(settings: Settings) -> int:
    raised = await sweeps.support_sweep(today=clock.today())
    log.info("end-of-support sweep: %d events", raised)
    return raised


async def outcome_review(settings: Settings) -> int:
    raised = await sweeps.outcome_review_sweep(now=clock.now())
    log.info("outcome review sweep: %d events", raised)
    return raised
