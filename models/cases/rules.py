"""The plan's rules on periods and dates, as pure functions."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING

from models import clock
from models.errors import IN_FUTURE, TOO_EARLY, FieldError, RuleViolation

if TYPE_CHECKING:
    from models.cases.tables import CaseRow

REFLECTION_DAYS = 30
REFLECTION_DAYS_AT_MOST = 120
SUPPORT_MONTHS = 6
#: The months of support, numbered as reports and payments name them.
MONTHS_OF_SUPPORT = range(1, SUPPORT_MONTHS + 1)
ADULT_AGE = 18


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def support_ends_on(arrived_on: date) -> date:
    """The support window is ``[arrived_on, support_ends_on)``: six months after arrival."""
    return add_months(arrived_on, SUPPORT_MONTHS)


def reflection_period_end(start: date, total_days: int) -> date:
    return start + timedelta(days=total_days)


def reflection_days_left(case: CaseRow) -> int:
    """Days the reflection period of a case (a row of ``Case``) may still be extended by."""
    taken = (case["reflection_period_end"] - case["reflection_period_start"]).days
    return max(REFLECTION_DAYS_AT_MOST - taken, 0)


def age_on(date_of_birth: date, on: date) -> int:
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def is_minor(date_of_birth: date, on: date) -> bool:
    return age_on(date_of_birth, on) < ADULT_AGE


class DateChecks:
    """Collects every incoherent date of a request, then refuses them all at once."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str] | FieldError] = []

    def not_in_future(self, field: str, value: date | None) -> DateChecks:
        if value is not None and value > clock.latest_date_anywhere():
            self.errors.append(FieldError(field, "must not be in the future", IN_FUTURE))
        return self

    def not_before(
        self, field: str, value: date | None, earliest: date | None, what: str
    ) -> DateChecks:
        if value is not None and earliest is not None and value < earliest:
            self.errors.append(FieldError(field, f"must not be before {what}", TOO_EARLY))
        return self

    def check(self) -> None:
        if self.errors:
            raise RuleViolation.many(self.errors)
