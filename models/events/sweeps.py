"""Sweeps over all due work, set-based: overdue follow-up months, reflection periods
about to end, support windows that closed. Each reads its cases in one or two queries
and writes its events a batch per statement, however many cases there are. Each raises
its events once, however often it runs and in however many processes (the events'
unique keys decide)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from models import database
from models.cases.records import Row
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case, Status
from models.followup.due import month_due_on, month_is_due
from models.followup.progress import months_reported
from models.outbox import Due, emit_due

REFLECTION_WARNING_DAYS = 7

log = logging.getLogger(__name__)


def overdue_months(
    arrived_on: date, reported: set[int], *, today: date, grace_days: int
) -> list[int]:
    return [
        month
        for month in MONTHS_OF_SUPPORT
        if month not in reported
        and month_is_due(arrived_on, month, today=today, grace_days=grace_days)
    ]


def _active() -> Any:
    return Case.status == Status.reintegration


def _overdue_events(case: Row, reported: set[int], today: date, grace_days: int) -> list[Due]:
    overdue = overdue_months(case["arrived_on"], reported, today=today, grace_days=grace_days)
    due = []
    for month in overdue:
        due.append(
            Due(
                "followup.overdue",
                case["id"],
                case["reference"],
                {"month": month, "due_on": month_due_on(case["arrived_on"], month)},
                f"followup.overdue:{case['id']}:{month}",
            )
        )
        if month - 1 in overdue:
            due.append(
                Due(
                    "followup.escalated",
                    case["id"],
                    case["reference"],
                    {"months": [month - 1, month]},
                    f"followup.escalated:{case['id']}:{month}",
                )
            )
    return due


async def followup_sweep(*, today: date, grace_days: int) -> int:
    """``followup.overdue`` the first time a month is overdue; ``followup.escalated`` (for
    the return organisation) when two consecutive months are."""
    async with database.lock("followup-sweep", wait=False) as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.arrived_on).where(_active())
        reported = await months_reported(Case.select(Case.id).where(_active()))
        due: list[Due] = []
        for case in cases:
            try:
                due += _overdue_events(case, reported[case["id"]], today, grace_days)
            except Exception:
                log.exception("follow-up sweep failed for case %s", case["id"])
        return await emit_due(due)


async def reflection_sweep(*, today: date) -> int:
    """``reflection.ending`` seven days before a reflection period ends: once per end date,
    so again after an extension moves it."""
    async with database.lock("reflection-sweep", wait=False) as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.reflection_period_end).where(
            Case.status.is_in([Status.reflection, Status.planned]),
            Case.reflection_period_end > today,
            Case.reflection_period_end <= today + timedelta(days=REFLECTION_WARNING_DAYS),
        )
        return await emit_due(
            [
                Due(
                    "reflection.ending",
                    case["id"],
                    case["reference"],
                    {"reflection_period_end": case["reflection_period_end"]},
                    f"reflection.ending:{case['id']}:{case['reflection_period_end']}",
                )
                for case in cases
            ]
        )


async def support_sweep(*, today: date) -> int:
    """``support.ended`` once the six-month window has closed, with the months that have no
    report."""
    async with database.lock("support-sweep", wait=False) as mine:
        if not mine:
            return 0
        ended = _active() & (Case.support_ends_on <= today)
        cases = await Case.select(Case.id, Case.reference, Case.support_ends_on).where(ended)
        reported = await months_reported(Case.select(Case.id).where(ended))
        return await emit_due(
            [
                Due(
                    "support.ended",
                    case["id"],
                    case["reference"],
                    {
                        "support_ends_on": case["support_ends_on"],
                        "months_without_report": [
                            m for m in MONTHS_OF_SUPPORT if m not in reported[case["id"]]
                        ],
                    },
                    f"support.ended:{case['id']}",
                )
                for case in cases
            ]
        )
