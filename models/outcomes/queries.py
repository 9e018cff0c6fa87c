"""The SQL that outcomes share: which cases a figure covers, each month's latest report, and
when a month's report is due. Figures are counted and summed by the database; Python only
sees grouped rows, or one bounded page of cases.

Raw SQL here is written for both engines. Where they differ (date arithmetic) the engine is
asked, as ``database.for_update`` does; values always travel as parameters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.columns.combination import And, Or, Where
from piccolo.query import Select
from piccolo.querystring import QueryString

from models.cases.reach import within_reach
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case
from models.followup.due import month_is_due_sql
from models.organisations import Caller

#: The indicators of a monthly report, in the order reports show them.
INDICATORS = (
    "contact",
    "housing",
    "livelihood",
    "children_in_school",
    "wellbeing",
    "safety_concern",
    "retrafficking_risk",
)

Condition = Where | And | Or


@dataclass(frozen=True)
class OutcomeFilter:
    """Narrows the caller's reach; never widens it. Arrival dates are inclusive."""

    arrived_from: date | None = None
    arrived_to: date | None = None
    origin_country: str | None = None
    exploitation: str | None = None
    return_org: uuid.UUID | None = None


def cases_in_scope(caller: Caller, filters: OutcomeFilter) -> Condition:
    """The cases a figure covers: those within the caller's reach for reports (a centre's
    reach for stories does not count), narrowed by the filters."""
    condition: Condition = within_reach(caller, stories=False)
    if filters.arrived_from is not None:
        condition &= Case.arrived_on >= filters.arrived_from
    if filters.arrived_to is not None:
        condition &= Case.arrived_on <= filters.arrived_to
    if filters.origin_country is not None:
        condition &= Case.origin_country == filters.origin_country
    if filters.exploitation is not None:
        # Forms are stored sorted and comma-separated, and no form's name contains another's.
        condition &= Case.exploitation.like(f"%{filters.exploitation}%")
    if filters.return_org is not None:
        condition &= Case.return_org == filters.return_org
    return condition


def case_ids(condition: Condition) -> Select:
    return Case.select(Case.id).where(condition)


def _subquery(cases: Select | Sequence[uuid.UUID]) -> QueryString:
    if isinstance(cases, Select):
        return cases.querystrings[0]
    if not cases:
        return QueryString("NULL")
    return QueryString(", ".join("{}" for _ in cases), *cases)


def latest_reports(cases: Select | Sequence[uuid.UUID]) -> QueryString:
    """Each case's latest report of each month 1-6 (the latest visit, then the latest
    submitted), with ``reports``: how many reports that month has."""
    indicators = ", ".join(f"r.{name}" for name in INDICATORS)
    return QueryString(
        "SELECT ranked.* FROM ("  # noqa: S608 - fixed names; values are parameters
        f'SELECT r."case" AS case_id, r.month, r.visited_on, {indicators}, '
        'ROW_NUMBER() OVER (PARTITION BY r."case", r.month '
        "ORDER BY r.visited_on DESC, r.submitted_at DESC, r.id DESC) AS place, "
        'COUNT(*) OVER (PARTITION BY r."case", r.month) AS reports '
        "FROM followup_report AS r "
        f'WHERE r.month BETWEEN 1 AND {len(MONTHS_OF_SUPPORT)} AND r."case" IN ({{}})'
        ") AS ranked WHERE ranked.place = 1",
        _subquery(cases),
    )


def is_due_sql(month: int) -> str:
    """SQL: month ``month`` of the ``return_case`` row is due (``due.month_is_due``), with
    one parameter, ``due_by``."""
    return month_is_due_sql(
        month, arrived_on="return_case.arrived_on", closed_on="return_case.closed_on"
    )


def has_report_sql(month: int) -> str:
    """SQL: the ``return_case`` row has a report of ``month``."""
    return (
        "EXISTS (SELECT 1 FROM followup_report AS r "  # noqa: S608 - no value in it
        f'WHERE r."case" = return_case.id AND r.month = {month:d})'
    )


# --- Values of raw SQL, which SQLite hands back as stored ------------------------------------


def as_date(value: Any) -> date | None:
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def as_int(value: Any) -> int | None:
    return None if value is None else int(value)


def as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def report_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``latest_reports`` with the types it has on PostgreSQL, on both engines."""
    return {
        **row,
        "case_id": as_uuid(row["case_id"]),
        "month": int(row["month"]),
        "visited_on": as_date(row["visited_on"]),
        "children_in_school": as_bool(row["children_in_school"]),
        "wellbeing": as_int(row["wellbeing"]),
        "safety_concern": as_bool(row["safety_concern"]),
        "reports": int(row["reports"]),
    }
