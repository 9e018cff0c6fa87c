"""Sweeps over all due work, each in one query: overdue follow-up months, reflection
periods about to end, support windows that closed. Each raises its events once, however
often it runs and in however many processes (the events' unique keys decide)."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

from piccolo.engine.postgres import PostgresEngine

from models import database
from models.cases import rules
from models.cases.tables import Case, Status
from models.events.outbox import emit
from models.followup.tasks import month_due_on, months_reported

log = logging.getLogger(__name__)

REFLECTION_WARNING_DAYS = 7
#: Arbitrary constants naming each sweep's PostgreSQL advisory lock.
LOCKS = {"followup": 7_302_118_901, "reflection": 7_302_118_902, "support": 7_302_118_903}


@contextlib.asynccontextmanager
async def exclusive(sweep: str) -> AsyncIterator[bool]:
    """True when this process may run the sweep now; False when another one is running it."""
    engine = database.current()
    if isinstance(engine, PostgresEngine):
        async with engine.pool.acquire() as connection:
            got = await connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCKS[sweep])
            try:
                yield got
            finally:
                if got:
                    await connection.execute("SELECT pg_advisory_unlock($1)", LOCKS[sweep])
        return
    with open(Path(f"{engine.path}.{sweep}-lock"), "a") as handle:  # noqa: ASYNC230 - instant
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def overdue_months(
    arrived_on: date, reported: set[int], *, today: date, grace_days: int
) -> list[int]:
    return [
        month
        for month in range(1, rules.SUPPORT_MONTHS + 1)
        if month not in reported
        and today > month_due_on(arrived_on, month) + timedelta(days=grace_days)
    ]


async def followup_sweep(*, today: date, grace_days: int) -> int:
    """``followup.overdue`` the first time a month is overdue; ``followup.escalated`` (for
    the return organisation) when two consecutive months are."""
    async with exclusive("followup") as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.arrived_on).where(
            Case.status == Status.reintegration
        )
        reported = await months_reported([case["id"] for case in cases])
        raised = 0
        for case in cases:
            try:
                overdue = overdue_months(
                    case["arrived_on"], reported[case["id"]], today=today, grace_days=grace_days
                )
                async with database.transaction():
                    for month in overdue:
                        due = month_due_on(case["arrived_on"], month)
                        raised += await emit(
                            "followup.overdue",
                            case_id=case["id"],
                            case_reference=case["reference"],
                            data={"month": month, "due_on": due},
                            dedupe_key=f"followup.overdue:{case['id']}:{month}",
                        )
                        if month - 1 in overdue:
                            raised += await emit(
                                "followup.escalated",
                                case_id=case["id"],
                                case_reference=case["reference"],
                                data={"months": [month - 1, month]},
                                dedupe_key=f"followup.escalated:{case['id']}:{month}",
                            )
            except Exception:
                log.exception("follow-up sweep failed for case %s", case["id"])
        return raised


async def reflection_sweep(*, today: date) -> int:
    """``reflection.ending`` seven days before a reflection period ends: once per end date,
    so again after an extension moves it."""
    async with exclusive("reflection") as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.reflection_period_end).where(
            Case.status.is_in([Status.reflection, Status.planned]),
            Case.reflection_period_end > today,
            Case.reflection_period_end <= today + timedelta(days=REFLECTION_WARNING_DAYS),
        )
        raised = 0
        for case in cases:
            try:
                end = case["reflection_period_end"]
                raised += await emit(
                    "reflection.ending",
                    case_id=case["id"],
                    case_reference=case["reference"],
                    data={"reflection_period_end": end},
                    dedupe_key=f"reflection.ending:{case['id']}:{end}",
                )
            except Exception:
                log.exception("reflection sweep failed for case %s", case["id"])
        return raised


async def support_sweep(*, today: date) -> int:
    """``support.ended`` once the six-month window has closed, with the months that have no
    report."""
    async with exclusive("support") as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.support_ends_on).where(
            Case.status == Status.reintegration, Case.support_ends_on <= today
        )
        reported = await months_reported([case["id"] for case in cases])
        raised = 0
        for case in cases:
            try:
                missing = [
                    m for m in range(1, rules.SUPPORT_MONTHS + 1) if m not in reported[case["id"]]
                ]
                raised += await emit(
                    "support.ended",
                    case_id=case["id"],
                    case_reference=case["reference"],
                    data={
                        "support_ends_on": case["support_ends_on"],
                        "months_without_report": missing,
                    },
                    dedupe_key=f"support.ended:{case['id']}",
                )
            except Exception:
                log.exception("support sweep failed for case %s", case["id"])
        return raised
