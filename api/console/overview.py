"""A partner coordinator's overview: their organisation's cases, where each stands in its
six months of support, the tasks open and the months overdue. Read only: reports and
payments are entered in the field app (``/app/``).

The lists are the API's own (``GET /cases``, ``GET /tasks``), so reach and the one due
rule (``models/followup/due.py``) are the same as everywhere else."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Request, get
from litestar.response import Template

from api import pagination
from api.console import pages
from api.settings import settings_of
from models import clock
from models.cases.records import CaseFilter, CaseRecord, list_cases
from models.cases.tables import Status
from models.errors import Forbidden, RuleViolation
from models.followup.due import month_of_support
from models.organisations import OrganisationKind
from models.people.sessions import SignedIn
from models.tasks import MonthlyReportTask, Task, open_tasks, tasks_for

PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseLine:
    """One case of the overview, as the coordinator reads it."""

    record: CaseRecord
    #: The month of support today falls in (1–6), while in reintegration.
    month: int | None
    overdue: list[MonthlyReportTask]
    #: The first month without a report that is not overdue yet.
    next_due: MonthlyReportTask | None


def _coordinator_of_a_partner(who: SignedIn) -> None:
    if who.caller.kind is not OrganisationKind.partner or not who.is_coordinator:
        raise Forbidden("the overview is for coordinators of partner organisations")


async def _lines(who: SignedIn, records: list[CaseRecord], grace_days: int) -> list[CaseLine]:
    tasks = await tasks_for([r.case for r in records], caller=who.caller, grace_days=grace_days)
    monthly: dict[uuid.UUID, list[MonthlyReportTask]] = {}
    for task in tasks:
        if isinstance(task, MonthlyReportTask):
            monthly.setdefault(task.case_id, []).append(task)
    lines = []
    for record in records:
        months = monthly.get(record.id, [])
        arrived = record.case["arrived_on"]
        lines.append(
            CaseLine(
                record=record,
                month=(
                    month_of_support(arrived, today=clock.today())
                    if arrived and record.case["status"] == Status.reintegration
                    else None
                ),
                overdue=[task for task in months if task.overdue],
                next_due=next((task for task in months if not task.overdue), None),
            )
        )
    return lines


@get("/overview")
async def overview(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    _coordinator_of_a_partner(who)
    grace_days = settings_of(request).report_grace_days
    query = request.query_params
    errors: list[tuple[str, str]] = []
    lines: list[CaseLine] = []
    tasks: list[Task] = []
    next_cases = next_tasks = None
    try:
        records = await list_cases(
            caller=who.caller,
            filters=CaseFilter(),
            after=pagination.decode(query.get("cases"), tuple[datetime, uuid.UUID], field="cases"),
            limit=PAGE_SIZE + 1,
        )
        page, next_cases = pagination.split(
            records, PAGE_SIZE, lambda r: (r.case["created_at"], r.id)
        )
        lines = await _lines(who, page, grace_days)
        tasks, following = await open_tasks(
            caller=who.caller,
            grace_days=grace_days,
            after=pagination.decode(query.get("tasks"), tuple[date, uuid.UUID], field="tasks"),
            limit=PAGE_SIZE,
        )
        next_tasks = pagination.encode(following) if following else None
    except RuleViolation as refused:
        errors = [(error.field, "overview.error.cursor") for error in refused.errors]
    return pages.page(
        request,
        "overview/overview.html",
        who=who,
        status=422 if errors else 200,
        errors=errors,
        lines=lines,
        tasks=tasks,
        overdue=[task for task in tasks if isinstance(task, MonthlyReportTask) and task.overdue],
        next_cases=next_cases,
        next_tasks=next_tasks,
    )


#: The console pages of this module.
HANDLERS = [overview]
