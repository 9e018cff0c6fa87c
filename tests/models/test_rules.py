"""The plan's rules as pure functions, without HTTP or a database: months, minors, the
support window, the day a month's report is due, and the budget check."""

from __future__ import annotations

from datetime import date

import pytest

from models import database
from models.cases import rules
from models.cases.tables import Case
from models.errors import RuleViolation
from models.followup.due import due_by, month_due_on, month_is_due, month_is_due_sql
from models.followup.rules import inside_support_window, over_budget

pytestmark = pytest.mark.dates


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # February has no 31st
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year's February
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # across the year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2031, 3, 15), -60, date(2026, 3, 15)),  # backwards: retention's cut-off
        (date(2029, 2, 28), -12, date(2028, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_or_ends_on_the_months_last(start, months, expected):
    assert rules.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("born", "on", "minor"),
    [
        (date(2008, 6, 15), date(2026, 6, 14), True),  # the day before the 18th birthday
        (date(2008, 6, 15), date(2026, 6, 15), False),  # on the birthday
        (date(2008, 2, 29), date(2026, 2, 28), True),  # born on 29 February: not yet
        (date(2008, 2, 29), date(2026, 3, 1), False),
        (date(1999, 4, 2), date(2026, 1, 1), False),
    ],
)
def test_a_person_is_a_minor_until_the_18th_birthday(born, on, minor):
    assert rules.is_minor(born, on) is minor


@pytest.mark.parametrize(
    ("arrived", "ends"),
    [
        (date(2026, 3, 2), date(2026, 9, 2)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2027, 6, 30)),
    ],
)
def test_support_ends_six_months_after_arrival(arrived, ends):
    assert rules.support_ends_on(arrived) == ends


CASE = {"arrived_on": date(2026, 3, 2), "support_ends_on": date(2026, 9, 2)}


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2026, 3, 1), False),  # before arrival
        (date(2026, 3, 2), True),  # the day of arrival
        (date(2026, 9, 1), True),  # the window's last day
        (date(2026, 9, 2), False),  # support_ends_on is the first day after it
    ],
)
def test_the_support_window_runs_from_arrival_to_the_day_before_it_ends(day, inside, clock):
    clock.move_to("2026-12-01T12:00:00Z")
    checks = inside_support_window("paid_on", day, CASE)
    if inside:
        checks.check()
    else:
        with pytest.raises(RuleViolation) as refused:
            checks.check()
        assert [e.field for e in refused.value.errors] == ["paid_on"]


def test_a_day_in_the_window_but_in_the_future_everywhere_is_refused(clock):
    clock.move_to("2026-06-01T11:00:00Z")  # 2 June 01:00 at UTC+14
    with pytest.raises(RuleViolation):
        inside_support_window("paid_on", date(2026, 6, 3), CASE).check()
    inside_support_window("paid_on", date(2026, 6, 2), CASE).check()  # already so at UTC+14


# --- When a month's report is due ------------------------------------------------------------

#: (arrival, month, closed on, today, due?) with 7 days of grace. Month N ends the day before
#: the same date N months on; it is due once today is past its last day plus the grace.
DUE = [
    # month 1 of an arrival on 2 March ends on 1 April; grace to 8 April
    (date(2026, 3, 2), 1, None, date(2026, 4, 8), False),  # the last day of grace
    (date(2026, 3, 2), 1, None, date(2026, 4, 9), True),  # the day after
    (date(2026, 3, 2), 1, None, date(2026, 4, 1), False),  # the month's own last day
    # arrivals on the 29th-31st: month 1 ends on the last day of February, or before
    (date(2026, 1, 29), 1, None, date(2026, 3, 6), False),  # ends 27 Feb; grace to 6 Mar
    (date(2026, 1, 29), 1, None, date(2026, 3, 7), True),
    (date(2026, 1, 30), 1, None, date(2026, 3, 7), True),  # ends 27 Feb (28 Feb is day 1)
    (date(2026, 1, 31), 1, None, date(2026, 3, 7), True),  # ends 27 Feb too
    (date(2026, 1, 31), 2, None, date(2026, 4, 6), False),  # ends 30 Mar; grace to 6 Apr
    (date(2026, 1, 31), 2, None, date(2026, 4, 7), True),
    (date(2026, 3, 31), 1, None, date(2026, 5, 7), True),  # ends 29 Apr; grace to 6 May
    (date(2026, 3, 31), 1, None, date(2026, 5, 6), False),
    # a leap year: arrival on 31 January 2028, month 1 ends on 28 February (29th is day 1)
    (date(2028, 1, 31), 1, None, date(2028, 3, 6), False),
    (date(2028, 1, 31), 1, None, date(2028, 3, 7), True),
    (date(2028, 1, 29), 1, None, date(2028, 3, 7), True),  # ends 28 Feb; grace to 6 Mar
    # a closure inside a month: only the months over by the closing day count
    (date(2026, 3, 2), 2, date(2026, 4, 20), date(2026, 12, 1), False),  # month 2 ends 1 May
    (date(2026, 3, 2), 1, date(2026, 4, 20), date(2026, 12, 1), True),  # month 1 ended 1 Apr
    (date(2026, 3, 2), 1, date(2026, 4, 1), date(2026, 12, 1), True),  # closed on its last day
    (date(2026, 3, 2), 2, date(2026, 4, 30), date(2026, 12, 1), False),
]


@pytest.mark.parametrize(("arrived", "month", "closed", "today", "due"), DUE)
def test_a_months_report_is_due_once_its_grace_days_are_over(arrived, month, closed, today, due):
    assert month_is_due(arrived, month, today=today, grace_days=7, closed_on=closed) is due


def test_a_month_ends_the_day_before_the_same_date_a_month_on():
    assert month_due_on(date(2026, 3, 2), 1) == date(2026, 4, 1)
    assert month_due_on(date(2026, 8, 31), 6) == date(2027, 2, 27)
    assert due_by(today=date(2026, 4, 9), grace_days=7) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("spent", "planned", "amount", "over"),
    [
        (0, 12_000_000, 2_500_000, False),
        (9_500_000, 12_000_000, 2_500_000, False),  # exactly the budget
        (9_500_001, 12_000_000, 2_500_000, True),  # one hundredth above it
        (0, 0, 1, True),  # a category the plan has no budget for
    ],
)
def test_a_payment_above_its_categorys_budget_is_over_budget(spent, planned, amount, over):
    assert over_budget(spent=spent, planned=planned, amount=amount) is over


# --- The same rule in SQL, on both engines ------------------------------------------------------


async def test_the_sql_twin_of_the_due_rule_gives_the_same_answers(db):
    """``month_is_due_sql`` beside ``month_is_due``: every row of the boundary table."""
    postgres = database.uses_postgres()

    def literal(day: date | None) -> str:
        if day is None:
            return "NULL"
        return f"DATE '{day}'" if postgres else f"'{day}'"

    for arrived, month, closed, today, due in DUE:
        sql = month_is_due_sql(month, arrived_on=literal(arrived), closed_on=literal(closed))
        (row,) = await Case.raw(
            f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END AS due",
            due_by(today=today, grace_days=7),
        )
        assert bool(row["due"]) is due, (arrived, month, closed, today)
