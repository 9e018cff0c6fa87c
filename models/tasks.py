"""Open tasks, computed from the data (no job needs to have run): for each case in
reintegration, one monthly report per month of support that has none yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from models import clock
from models.cases.reach import within_reach
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case, Status
from models.followup.due import month_due_on, month_is_due
from models.followup.progress import months_reported
from models.organisations import Caller


@dataclass(frozen=True)
class Task:
    kind: str
    case_id: uuid.UUID
    case_reference: str
    month: int
    due_on: date
    overdue: bool


def monthly_report_tasks(
    case: dict, reported: set[int], *, today: date, grace_days: int
) -> list[Task]:
    return [
        Task(
            kind="monthly_report",
            case_id=case["id"],
            case_reference=case["reference"],
            month=month,
            due_on=month_due_on(case["arrived_on"], month),
            overdue=month_is_due(case["arrived_on"], month, today=today, grace_days=grace_days),
        )
        for month in MONTHS_OF_SUPPORT
        if month not in reported
    ]


async def tasks_for(cases: list[dict], *, grace_days: int) -> list[Task]:
    """The open tasks of these cases (those in reintegration), in two queries at most."""
    active = [case for case in cases if case["status"] == Status.reintegration]
    reported = await months_reported([case["id"] for case in active])
    today = clock.today()
    return [
        task
        for case in active
        for task in monthly_report_tasks(
            case, reported[case["id"]], today=today, grace_days=grace_days
        )
    ]


async def open_tasks(
    *, caller: Caller, grace_days: int, after: tuple[date, uuid.UUID] | None, limit: int
) -> tuple[list[Task], tuple[date, uuid.UUID] | None]:
    """The caller's open tasks, a page of cases at a time (by arrival, then id)."""
    query = Case.select(Case.id, Case.reference, Case.status, Case.arrived_on).where(
        within_reach(caller, stories=False), Case.status == Status.reintegration
    )
    if after is not None:
        arrived_on, case_id = after
        query = query.where(
            (Case.arrived_on > arrived_on) | ((Case.arrived_on == arrived_on) & (Case.id > case_id))
        )
    cases = await query.order_by(Case.arrived_on, Case.id).limit(limit + 1)
    page, more = cases[:limit], len(cases) > limit
    following = (page[-1]["arrived_on"], page[-1]["id"]) if more else None
    return await tasks_for(page, grace_days=grace_days), following
