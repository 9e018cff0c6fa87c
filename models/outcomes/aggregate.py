"""Outcomes over many cases: how many, how they ended, how faithfully they were followed
up, what was disbursed and how people did, by month of support.

Every figure is counted, summed and grouped by the database; Python sees grouped rows
(at most one per date, status, country, category or combination of answers), never one
row per case or report. The CSV is the exception by design: one row per case, read and
written a page of cases at a time, so that its memory does not grow with the data."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from enum import StrEnum
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count, Sum

from models import clock, database
from models.cases.money import from_hundredths
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case, Status
from models.followup.due import due_by, month_is_due
from models.followup.tables import DISBURSED, Payment
from models.organisations import Caller
from models.outcomes import review_figures, scoring
from models.outcomes.queries import (
    Condition,
    OutcomeFilter,
    as_bool,
    as_date,
    as_int,
    case_ids,
    cases_in_scope,
    has_report_sql,
    is_due_sql,
    latest_reports,
    report_row,
)
from models.outcomes.report import PaymentTotal, category_order
from models.outcomes.review_figures import ReviewFigures

#: Months whose mean composite score the figures single out.
MILESTONES = (3, 6)
CSV_PAGE = 1000
_DIMENSIONS = ("economic", "social", "psychosocial", "composite")


class CaseCounts(msgspec.Struct, kw_only=True):
    total: int
    by_status: dict[str, int]
    by_origin_country: dict[str, int]
    #: A case with several forms of exploitation counts under each.
    by_exploitation: dict[str, int]


class Completion(msgspec.Struct, kw_only=True):
    """Of the closed cases, the share that completed their reintegration course."""

    closed: int
    completed: int
    closed_early: int
    rate: float | None


class CountryCompletion(Completion, kw_only=True):
    origin_country: str


class FollowUp(msgspec.Struct, kw_only=True):
    """Of the months whose report is due, the share that has one."""

    months_due: int
    months_reported: int
    compliance: float | None
    grace_days: int
    #: A month is due when its last day is on or before this date.
    due_by: date


class QuarterReturns(msgspec.Struct, kw_only=True):
    #: e.g. ``2026-Q1``, by date of arrival.
    quarter: str
    returns: int


class MonthScores(msgspec.Struct, kw_only=True):
    """Mean scores of the cases with a report that month (each case's latest visit)."""

    month: int
    cases: int
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None


class Scores(msgspec.Struct, kw_only=True):
    version: str
    #: Mean composite at month 3 and month 6.
    month_3: float | None
    month_6: float | None
    by_month: list[MonthScores]


class Outcomes(msgspec.Struct, kw_only=True):
    cases: CaseCounts
    completion: Completion
    completion_by_country: list[CountryCompletion]
    follow_up: FollowUp
    payments: list[PaymentTotal]
    returns_by_quarter: list[QuarterReturns]
    scores: Scores
    #: The review of closed cases' outcome reports.
    review: ReviewFigures


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _completion(statuses: Counter[str]) -> dict[str, Any]:
    completed, early = statuses[Status.completed], statuses[Status.closed_early]
    return {
        "closed": completed + early,
        "completed": completed,
        "closed_early": early,
        "rate": _share(completed, completed + early),
    }


async def case_counts(
    condition: Condition,
) -> tuple[CaseCounts, Completion, list[CountryCompletion]]:
    rows = (
        await Case.select(Case.status, Case.origin_country, Case.exploitation, Count(alias="cases"))
        .where(condition)
        .group_by(Case.status, Case.origin_country, Case.exploitation)
    )
    statuses: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        n = int(row["cases"])
        statuses[row["status"]] += n
        countries[row["origin_country"]] += n
        by_country[row["origin_country"]][row["status"]] += n
        for form in row["exploitation"].split(","):
            forms[form] += n
    counts = CaseCounts(
        total=sum(statuses.values()),
        by_status={status.value: statuses[status] for status in Status},
        by_origin_country=dict(sorted(countries.items())),
        by_exploitation=dict(sorted(forms.items())),
    )
    per_country = [
        CountryCompletion(origin_country=country, **_completion(by_country[country]))
        for country in sorted(by_country)
    ]
    return counts, Completion(**_completion(statuses)), per_country


async def follow_up(
    condition: Condition, *, grace_days: int, today: date | None = None
) -> FollowUp:
    last_due = due_by(today=today or clock.today(), grace_days=grace_days)
    due = " + ".join(f"CASE WHEN {is_due_sql(m)} THEN 1 ELSE 0 END" for m in MONTHS_OF_SUPPORT)
    reported = " + ".join(
        f"CASE WHEN {is_due_sql(m)} AND {has_report_sql(m)} THEN 1 ELSE 0 END"
        for m in MONTHS_OF_SUPPORT
    )
    rows = await Case.raw(
        f"SELECT SUM({due}) AS due, SUM({reported}) AS reported FROM return_case "  # noqa: S608 - fixed SQL; values are parameters
        "WHERE return_case.arrived_on IS NOT NULL AND {}",
        *[last_due] * (2 * len(MONTHS_OF_SUPPORT)),
        condition.querystring,
    )
    months_due, months_reported = (int(rows[0][k] or 0) for k in ("due", "reported"))
    return FollowUp(
        months_due=months_due,
        months_reported=months_reported,
        compliance=_share(months_reported, months_due),
        grace_days=grace_days,
        due_by=last_due,
    )


async def disbursed(condition: Condition) -> list[PaymentTotal]:
    rows = (
        await Payment.select(
            Payment.category,
            Payment.currency,
            Sum(Payment.amount_hundredths, alias="total"),
            Count(alias="count"),
        )
        .where(Payment.status.is_in(list(DISBURSED)), Payment.case.is_in(case_ids(condition)))
        .group_by(Payment.category, Payment.currency)
    )
    rows.sort(key=lambda row: category_order((row["category"], row["currency"])))
    return [
        PaymentTotal(
            category=row["category"],
            currency=row["currency"],
            total=from_hundredths(int(row["total"])),
            count=int(row["count"]),
        )
        for row in rows
    ]


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


async def returns_by_quarter(condition: Condition) -> list[QuarterReturns]:
    """Arrivals by quarter, every quarter from the first to the last (empty ones too).
    The database counts by day of arrival; quarters are made of those days here, the
    same way on both engines."""
    rows = (
        await Case.select(Case.arrived_on, Count(alias="cases"))
        .where(condition, Case.arrived_on.is_not_null())
        .group_by(Case.arrived_on)
    )
    counts: Counter[tuple[int, int]] = Counter()
    for row in rows:
        counts[_quarter(as_date(row["arrived_on"]))] += int(row["cases"])
    if not counts:
        return []
    (year, quarter), last = min(counts), max(counts)
    quarters = []
    while (year, quarter) <= last:
        quarters.append(QuarterReturns(quarter=f"{year}-Q{quarter}", returns=counts[year, quarter]))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return quarters


async def scores_by_month(condition: Condition) -> Scores:
    """Mean scores by month, over the latest report of each case's month. The database
    counts cases by month and combination of answers; each combination is scored once."""
    model = scoring.current()
    fields = list(scoring.SCORABLE)
    columns = ", ".join(f"latest.{field}" for field in fields)
    rows = await Case.raw(
        f"SELECT latest.month, {columns}, COUNT(*) AS cases FROM ({{}}) AS latest "  # noqa: S608 - fixed SQL; values are parameters
        f"GROUP BY latest.month, {columns}",
        latest_reports(case_ids(condition)),
    )
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0] * 4)
    weights: dict[int, list[int]] = defaultdict(lambda: [0] * 4)
    cases: Counter[int] = Counter()
    for row in rows:
        month, n = int(row["month"]), int(row["cases"])
        answers = {
            **row,
            "children_in_school": as_bool(row["children_in_school"]),
            "safety_concern": as_bool(row["safety_concern"]),
            "wellbeing": as_int(row["wellbeing"]),
        }
        cases[month] += n
        for i, value in enumerate(model.score(answers).as_tuple()):
            if value is not None:
                sums[month][i] += n * value
                weights[month][i] += n
    by_month = []
    for month in MONTHS_OF_SUPPORT:
        means = [
            round(sums[month][i] / weights[month][i], 3) if weights[month][i] else None
            for i in range(4)
        ]
        by_month.append(
            MonthScores(
                month=month, cases=cases[month], **dict(zip(_DIMENSIONS, means, strict=True))
            )
        )
    composite = {m.month: m.composite for m in by_month}
    return Scores(
        version=model.version,
        month_3=composite[MILESTONES[0]],
        month_6=composite[MILESTONES[1]],
        by_month=by_month,
    )


async def outcomes(
    *, caller: Caller, filters: OutcomeFilter, grace_days: int, today: date | None = None
) -> Outcomes:
    """Every figure over the cases in the caller's reach that the filters select, all
    read at one moment."""
    condition = cases_in_scope(caller, filters)
    async with database.snapshot():
        counts, completion, per_country = await case_counts(condition)
        return Outcomes(
            cases=counts,
            completion=completion,
            completion_by_country=per_country,
            follow_up=await follow_up(condition, grace_days=grace_days, today=today),
            payments=await disbursed(condition),
            returns_by_quarter=await returns_by_quarter(condition),
            scores=await scores_by_month(condition),
            review=await review_figures.review_figures(condition),
        )


class Figure(StrEnum):
    """The figures that can be read one at a time (each chart draws one)."""

    returns_by_quarter = "returns_by_quarter"
    completion_by_country = "completion_by_country"
    disbursed = "disbursed"
    scores_by_month = "scores_by_month"


async def _completion_by_country(condition: Condition) -> list[CountryCompletion]:
    _, _, per_country = await case_counts(condition)
    return per_country


_FIGURES: dict[Figure, Callable[[Condition], Awaitable[Any]]] = {
    Figure.returns_by_quarter: returns_by_quarter,
    Figure.completion_by_country: _completion_by_country,
    Figure.disbursed: disbursed,
    Figure.scores_by_month: scores_by_month,
}


async def one_figure(figure: Figure, *, caller: Caller, filters: OutcomeFilter) -> Any:
    """One figure over the cases in the caller's reach that the filters select."""
    async with database.snapshot():
        return await _FIGURES[figure](cases_in_scope(caller, filters))


# --- One row per case, as CSV -----------------------------------------------------------------

CSV_COLUMNS = (
    "reference",
    "status",
    "origin_country",
    "exploitation",
    "arrived",
    "closed",
    "outcome",
    "reports_received",
    "months_due",
    "months_due_reported",
    "payments_disbursed",
    "disbursed",
    "composite_month_3",
    "composite_month_6",
    *review_figures.CSV_COLUMNS,
)


def _year_month(day: Any) -> str:
    day = as_date(day)
    return f"{day:%Y-%m}" if day else ""


def _csv(rows: list[tuple[Any, ...]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue()


async def _page_rows(
    cases: list[dict[str, Any]], *, today: date, grace_days: int
) -> list[tuple[Any, ...]]:
    """The CSV rows of one page of cases, in three more queries."""
    model = scoring.current()
    ids = [case["id"] for case in cases]
    reported: dict[uuid.UUID, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in map(report_row, await Case.raw("{}", latest_reports(ids))):
        reported[row["case_id"]][row["month"]] = row
    paid = (
        await Payment.select(
            Payment.case,
            Payment.currency,
            Sum(Payment.amount_hundredths, alias="total"),
            Count(alias="count"),
        )
        .where(Payment.case.is_in(ids), Payment.status.is_in(list(DISBURSED)))
        .group_by(Payment.case, Payment.currency)
        .order_by(Payment.currency)
    )
    payments: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in paid:
        payments[row["case"]].append(row)
    reviews = await review_figures.csv_columns(ids)
    no_review = ("",) * len(review_figures.CSV_COLUMNS)
    rows = []
    for case in cases:
        months = reported[case["id"]]
        arrived_on, closed_on = as_date(case["arrived_on"]), as_date(case["closed_on"])
        due = (
            [
                m
                for m in MONTHS_OF_SUPPORT
                if month_is_due(
                    arrived_on, m, today=today, grace_days=grace_days, closed_on=closed_on
                )
            ]
            if arrived_on
            else []
        )
        composite = {
            m: model.score(months[m]).rounded().composite if m in months else None
            for m in MILESTONES
        }
        rows.append(
            (
                case["reference"],
                case["status"],
                case["origin_country"],
                case["exploitation"].replace(",", ";"),
                _year_month(arrived_on),
                _year_month(closed_on),
                case["outcome"] or "",
                len(months),
                len(due),
                sum(1 for m in due if m in months),
                sum(int(p["count"]) for p in payments[case["id"]]),
                "; ".join(
                    f"{from_hundredths(int(p['total']))} {p['currency']}"
                    for p in payments[case["id"]]
                ),
                *("" if composite[m] is None else f"{composite[m]:.3f}" for m in MILESTONES),
                *reviews.get(case["id"], no_review),
            )
        )
    return rows


async def csv_chunks(
    *,
    caller: Caller,
    filters: OutcomeFilter,
    grace_days: int,
    page_size: int = CSV_PAGE,
    today: date | None = None,
) -> AsyncIterator[str]:
    """The CSV text: the header, then one chunk per page of cases, by reference. Only
    references, categories, counts and months: no personal data."""
    condition = cases_in_scope(caller, filters)
    today = today or clock.today()
    yield _csv([CSV_COLUMNS])
    after: str | None = None
    while True:
        query = Case.select(
            Case.id,
            Case.reference,
            Case.status,
            Case.origin_country,
            Case.exploitation,
            Case.arrived_on,
            Case.closed_on,
            Case.outcome,
        ).where(condition)
        if after is not None:
            query = query.where(Case.reference > after)
        async with database.snapshot():
            cases = await query.order_by(Case.reference).limit(page_size)
            rows = await _page_rows(cases, today=today, grace_days=grace_days) if cases else []
        if rows:
            yield _csv(rows)
        if len(cases) < page_size:
            return
        after = cases[-1]["reference"]
