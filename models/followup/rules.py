"""The plan's rules for reports and payments: the case is followed up, records fall inside
its support window, and a payment may not take its category over the plan's budget
without the return organisation's approval."""

from __future__ import annotations

from datetime import date

from models.cases.rules import DateChecks
from models.cases.tables import CaseRow, Status
from models.errors import Conflict

FOLLOWED_UP = (Status.reintegration, Status.completed, Status.closed_early)


def require_followed_up(case: CaseRow) -> None:
    if case["status"] not in FOLLOWED_UP:
        raise Conflict(f"the case is {case['status']}; follow-up starts on arrival")


def inside_support_window(field: str, value: date, case: CaseRow) -> DateChecks:
    """``value`` must not be in the future and must fall in ``[arrived_on, support_ends_on)``."""
    checks = DateChecks().not_in_future(field, value)
    checks.not_before(field, value, case["arrived_on"], "arrived_on")
    if case["support_ends_on"] is not None and value >= case["support_ends_on"]:
        checks.errors.append((field, "must be before support_ends_on"))
    return checks


def over_budget(*, spent: int, planned: int, amount: int) -> bool:
    """Would a payment of ``amount`` take its category above the plan's budget, ``spent``
    counting every payment of the category not rejected (in hundredths, one currency)?"""
    return spent + amount > planned
