"""Which months of support have a report: what a case's record shows as missing, what tasks
and sweeps count from, and which months are overdue (in Python and, for lists, in SQL)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from piccolo.columns.combination import WhereRaw
from piccolo.query import Select

from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case, CaseRow
from models.followup.due import due_by, month_is_due, month_is_due_sql
from models.followup.tables import Report


async def months_reported(cases: list[uuid.UUID] | Select) -> dict[uuid.UUID, set[int]]:
    """The months with a report, of a few cases by id or of all those a query selects
    (a sweep's: its ids would overflow the engines' parameter limits)."""
    reported: dict[uuid.UUID, set[int]] = defaultdict(set)
    if isinstance(cases, Select) or cases:
        rows = (
            await Report.select(Report.case, Report.month)
            .distinct()
            .where(Report.case.is_in(cases))
        )
        for row in rows:
            reported[row["case"]].add(row["month"])
    return reported


async def add_months_reported(records: list) -> None:
    """Give case records (``models.cases.records.CaseRecord``) their months reported, in one
    query for the cases that have arrived."""
    arrived = [record.id for record in records if record.case["arrived_on"] is not None]
    reported = await months_reported(arrived)
    for record in records:
        record.months_reported = reported.get(record.id, set())


def months_overdue(case: CaseRow, reported: set[int], *, today: date, grace_days: int) -> list[int]:
    """The months of a case (a row of ``Case``) that are due (``due.month_is_due``) and
    have no report; ``overdue_at_least`` is the same count in SQL."""
    if case["arrived_on"] is None:
        return []
    return [
        month
        for month in MONTHS_OF_SUPPORT
        if month not in reported
        and month_is_due(
            case["arrived_on"],
            month,
            today=today,
            grace_days=grace_days,
            closed_on=case["closed_on"],
        )
    ]


def overdue_at_least(months: int, *, today: date, grace_days: int) -> WhereRaw:
    """A condition on ``Case``: at least ``months`` months due without a report."""
    case, report = Case._meta.tablename, Report._meta.tablename
    due = {
        m: month_is_due_sql(m, arrived_on=f"{case}.arrived_on", closed_on=f"{case}.closed_on")
        for m in MONTHS_OF_SUPPORT
    }
    overdue = " + ".join(
        f"CASE WHEN {due[m]} AND NOT EXISTS (SELECT 1 FROM {report} AS r "  # noqa: S608 - our names
        f'WHERE r."case" = {case}.id AND r.month = {m:d}) THEN 1 ELSE 0 END'
        for m in MONTHS_OF_SUPPORT
    )
    last_due = due_by(today=today, grace_days=grace_days)
    return WhereRaw(f"({overdue}) >= {{}}", *[last_due] * len(MONTHS_OF_SUPPORT), months)
