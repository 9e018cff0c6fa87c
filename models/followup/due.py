"""When a month's report is due: the one rule, and its SQL twin beside it.

Month N of support ends the day before the same date N months after arrival (``due_on``:
the report is expected by then). It is *due* — counted in compliance, and overdue while it
has no report — once its grace days have passed too: when today is later than
``due_on + grace_days``. For a closed case only the months that were over by the closing
day count.

Today is the date in UTC (``clock.today()``), for everyone: the phone, the sweeps and the
figures then agree on the day a month turns overdue. The latest date anywhere (UTC+14)
refuses dates in the future; used here it would call a month overdue while its last day
of grace is still running almost everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta

from models import database
from models.cases import rules


def month_due_on(arrived_on: date, month: int) -> date:
    """The last day of month ``month`` of support, its month's end standing in for a day
    it lacks (arrival on 31 August: month 6 ends on 27 February, the day before 28)."""
    return rules.add_months(arrived_on, month) - timedelta(days=1)


def month_of_support(arrived_on: date, *, today: date) -> int | None:
    """The month of support ``today`` falls in (1–6), counted as ``month_due_on`` counts:
    None before arrival and after the sixth month."""
    for month in rules.MONTHS_OF_SUPPORT:
        if rules.add_months(arrived_on, month - 1) <= today <= month_due_on(arrived_on, month):
            return month
    return None


def due_by(*, today: date, grace_days: int) -> date:
    """A month whose last day is on or before this date is due."""
    return today - timedelta(days=grace_days + 1)


def month_is_due(
    arrived_on: date,
    month: int,
    *,
    today: date,
    grace_days: int,
    closed_on: date | None = None,
) -> bool:
    """The month's report is due: the month and its grace days are over and, for a closed
    case, the month was over by the day it closed."""
    due_on = month_due_on(arrived_on, month)
    return due_on <= due_by(today=today, grace_days=grace_days) and (
        closed_on is None or due_on <= closed_on
    )


# --- The same rule in SQL, for figures over many cases ----------------------------------------


def due_on_sql(arrived_on: str, month: int) -> str:
    """SQL for ``month_due_on(arrived_on, month)``."""
    if database.uses_postgres():
        # PostgreSQL's month arithmetic already ends on the month's last day (31 Jan → 28 Feb).
        return f"(CAST({arrived_on} + make_interval(months => {month:d}) AS DATE) - 1)"
    shifted = f"date({arrived_on}, '+{month:d} months')"  # SQLite runs over: 31 Jan → 3 Mar
    return (
        f"date(CASE WHEN strftime('%d', {shifted}) = strftime('%d', {arrived_on}) "
        f"THEN {shifted} ELSE date({shifted}, 'start of month', '-1 day') END, '-1 day')"
    )


def month_is_due_sql(month: int, *, arrived_on: str, closed_on: str) -> str:
    """SQL for ``month_is_due`` over the columns named, with one parameter: ``due_by``."""
    due_on = due_on_sql(arrived_on, month)
    return f"({due_on} <= {{}} AND ({closed_on} IS NULL OR {due_on} <= {closed_on}))"
