"""Which months of support have a report: what a case's record shows as missing, what tasks
and sweeps count from."""

from __future__ import annotations

import uuid
from collections import defaultdict

from piccolo.query import Select

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
