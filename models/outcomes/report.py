"""The outcome report of one case: how the person did month by month, what was paid
against the plan's budget, how the course ended, and the reintegration score.

The report is a document: the same struct is served, rendered as a page, and frozen (as
sealed JSON) when the case is closed (see ``models.outcomes.frozen``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType
from piccolo.query.functions.aggregate import Count, Sum

from models import audit, database
from models.cases.money import from_hundredths
from models.cases.reach import SEES_NOTES, Role
from models.cases.records import reachable_case
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import BudgetLine, Case, CaseRow, SupportCategory
from models.errors import Forbidden
from models.followup.due import month_due_on
from models.followup.tables import DISBURSED, Payment, PaymentStatus
from models.organisations import Caller
from models.outcomes import scoring
from models.outcomes.queries import INDICATORS, latest_reports, report_row
from models.outcomes.review_state import Review, review_of
from models.outcomes.versions import Version, body_of, versions_of

#: Roles that read a case's outcome report: not a centre reading the case for a story.
READERS = frozenset({Role.opener, Role.return_org, Role.partner})

_CATEGORY_ORDER = {category.value: n for n, category in enumerate(SupportCategory)}


class MonthScore(msgspec.Struct, kw_only=True):
    """Between 0 and 1; null when the month's report gives nothing to score it by."""

    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None


class MonthOutcome(msgspec.Struct, kw_only=True):
    """One month of support: its latest report's indicators, or nulls when none came."""

    month: int
    #: The month's last day (its report is due then); null before arrival.
    due_on: date | None
    reported: bool
    #: How many reports the month has; the latest visit's report is shown.
    reports: int
    visited_on: date | None
    contact: str | None
    housing: str | None
    livelihood: str | None
    children_in_school: bool | None
    wellbeing: int | None
    safety_concern: bool | None
    retrafficking_risk: str | None
    score: MonthScore | None


class PaymentTotal(msgspec.Struct, kw_only=True):
    category: str
    currency: str
    total: str
    count: int


class BudgetUse(msgspec.Struct, kw_only=True):
    """A category of the plan's budget beside what was disbursed in it (recorded or
    approved); a category paid without a budget line shows a budget of 0."""

    category: str
    currency: str
    budget: str
    disbursed: str


class OutcomeReport(msgspec.Struct, kw_only=True):
    #: The case's id: this is the case's outcome report.
    id: uuid.UUID
    reference: str
    status: str
    origin_country: str
    exploitation: list[str]
    arrived_on: date | None
    support_ends_on: date | None
    #: Months 1-6 with at least one report.
    reports_received: int
    reports_expected: int = len(MONTHS_OF_SUPPORT)
    months: list[MonthOutcome]
    #: Disbursed payments only (recorded, or approved after waiting).
    payments: list[PaymentTotal]
    #: Payments still waiting for the return organisation's approval: not counted above.
    payments_pending: list[PaymentTotal]
    budget: list[BudgetUse]
    outcome: str | None
    closed_on: date | None
    #: Left out for roles that do not see the case's notes.
    closure_note: str | UnsetType | None = UNSET
    #: The version of the score mapping (``models/outcomes/score_v<N>.json``).
    score_version: str


@dataclass(frozen=True)
class Shown:
    """A report as one caller is shown it: the current one (``version`` None) or a frozen
    version, with the list of every frozen version and the review of the case's report."""

    report: OutcomeReport
    version: int | None
    versions: list[Version]
    review: Review


def _score(row: dict[str, Any], model: scoring.ScoringModel) -> MonthScore:
    score = model.score(row).rounded()
    return MonthScore(
        economic=score.economic,
        social=score.social,
        psychosocial=score.psychosocial,
        composite=score.composite,
    )


def _month(month: int, arrived_on: date | None, row: dict[str, Any] | None) -> MonthOutcome:
    indicators: dict[str, Any] = {name: row[name] if row else None for name in INDICATORS}
    return MonthOutcome(
        month=month,
        due_on=month_due_on(arrived_on, month) if arrived_on else None,
        reported=row is not None,
        reports=row["reports"] if row else 0,
        visited_on=row["visited_on"] if row else None,
        **indicators,
        score=_score(row, scoring.current()) if row else None,
    )


def category_order(key: tuple[str, str]) -> tuple[int, str]:
    """Sort key of (category, currency): the plan's order of categories, then currency."""
    return _CATEGORY_ORDER.get(key[0], len(_CATEGORY_ORDER)), key[1]


async def _payments(case_id: uuid.UUID) -> tuple[dict, dict]:
    """Totals and counts by (category, currency): disbursed ones, and pending ones."""
    rows = (
        await Payment.select(
            Payment.category,
            Payment.currency,
            Payment.status,
            Sum(Payment.amount_hundredths, alias="total"),
            Count(alias="count"),
        )
        .where(Payment.case == case_id, Payment.status != PaymentStatus.rejected)
        .group_by(Payment.category, Payment.currency, Payment.status)
    )
    disbursed: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    pending: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        into = disbursed if row["status"] in DISBURSED else pending
        into[row["category"], row["currency"]][0] += int(row["total"])
        into[row["category"], row["currency"]][1] += int(row["count"])
    return disbursed, pending


def _totals(sums: dict[tuple[str, str], list[int]]) -> list[PaymentTotal]:
    return [
        PaymentTotal(category=c, currency=cur, total=from_hundredths(t), count=n)
        for (c, cur), (t, n) in sorted(sums.items(), key=lambda item: category_order(item[0]))
    ]


async def _budget(case_id: uuid.UUID, disbursed: dict) -> list[BudgetUse]:
    rows = (
        await BudgetLine.select(
            BudgetLine.category,
            BudgetLine.currency,
            Sum(BudgetLine.amount_hundredths, alias="total"),
        )
        .where(BudgetLine.case == case_id)
        .group_by(BudgetLine.category, BudgetLine.currency)
    )
    planned = {(row["category"], row["currency"]): int(row["total"]) for row in rows}
    keys = sorted(set(planned) | set(disbursed), key=category_order)
    return [
        BudgetUse(
            category=category,
            currency=currency,
            budget=from_hundredths(planned.get((category, currency), 0)),
            disbursed=from_hundredths(disbursed.get((category, currency), (0, 0))[0]),
        )
        for category, currency in keys
    ]


async def build(case: CaseRow) -> OutcomeReport:
    """The report of ``case`` (an opened row of Case) as it stands, with the closure note."""
    case_id = case["id"]
    latest = {
        row["month"]: row
        for row in map(report_row, await Case.raw("{}", latest_reports([case_id])))
    }
    disbursed, pending = await _payments(case_id)
    return OutcomeReport(
        id=case_id,
        reference=case["reference"],
        status=case["status"],
        origin_country=case["origin_country"],
        exploitation=case["exploitation"].split(","),
        arrived_on=case["arrived_on"],
        support_ends_on=case["support_ends_on"],
        reports_received=len(latest),
        months=[
            _month(month, case["arrived_on"], latest.get(month)) for month in MONTHS_OF_SUPPORT
        ],
        payments=_totals(disbursed),
        payments_pending=_totals(pending),
        budget=await _budget(case_id, disbursed),
        outcome=case["outcome"],
        closed_on=case["closed_on"],
        closure_note=case["closure_note"],
        score_version=scoring.current().version,
    )


def as_seen_by(report: OutcomeReport, roles: frozenset[Role]) -> OutcomeReport:
    if roles & SEES_NOTES:
        return report
    return msgspec.structs.replace(report, closure_note=UNSET)


async def shown(case: CaseRow, roles: frozenset[Role], *, version: int | None = None) -> Shown:
    """The report of ``case`` now, or its frozen ``version``, as ``roles`` may see it."""
    case_id = case["id"]
    if version is None:
        report = await build(case)
    else:
        report = await body_of(case_id, version, as_type=OutcomeReport)
    return Shown(
        report=as_seen_by(report, roles),
        version=version,
        versions=await versions_of(case_id),
        review=await review_of(case_id, roles),
    )


async def read(*, caller: Caller, case_id: uuid.UUID, version: int | None = None) -> Shown:
    """The case's outcome report now, or its frozen ``version``, as the caller may see it."""
    async with database.snapshot():
        case, roles = await reachable_case(caller, case_id)
        if not roles & READERS:
            raise Forbidden(
                "only the case's opener, return org or partner may read its outcome report"
            )
        report = await shown(case, roles, version=version)
    await audit.record(caller, "case.outcome_report_read", [case_id])
    return report
