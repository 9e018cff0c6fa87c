"""The outcome review in the figures: how many closed cases stand in each status of their
review, and how long submitting and accepting take.

The database counts: Python sees one row per status, or per number of days (a histogram
whose median is taken here), never one row per case — except in the CSV, which is one
row per case by design. Days are whole days between UTC dates, the same on both engines."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from models import database
from models.cases.tables import Case
from models.outcomes.queries import Condition, as_uuid, case_ids
from models.outcomes.tables import OutcomeReview, ReviewStatus


class ReviewFigures(msgspec.Struct, kw_only=True):
    #: Closed cases by the status of their outcome report's review.
    by_status: dict[str, int]
    #: Median days from the closing date to the first submission, over the cases submitted
    #: at least once.
    median_days_to_first_submission: float | None
    #: Median days from the first submission to the acceptance that stands, over the cases
    #: accepted.
    median_days_to_acceptance: float | None


def _utc_day(column: str, *, timestamp: bool) -> str:
    """SQL: the day of a date column, or the UTC date of a timestamp column, as a number
    that days can be subtracted from."""
    if database.uses_postgres():
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)" if timestamp else column
    return f"julianday(date({column}))"


def _days(later: str, earlier: str, *, earlier_is_timestamp: bool) -> str:
    """SQL: whole days from ``earlier`` to the timestamp ``later``."""
    return (
        f"CAST({_utc_day(later, timestamp=True)} - "
        f"{_utc_day(earlier, timestamp=earlier_is_timestamp)} AS INTEGER)"
    )


def _to_first_submission() -> str:
    return _days("r.first_submitted_at", "c.closed_on", earlier_is_timestamp=False)


def _to_acceptance() -> str:
    return _days("r.accepted_at", "r.first_submitted_at", earlier_is_timestamp=True)


#: Each review with its case, for the cases a subquery selects.
_REVIEWS = (
    'FROM outcome_review AS r JOIN return_case AS c ON c.id = r."case" WHERE r."case" IN ({})'
)


async def _histogram(days: str, only: str, cases: QueryString) -> Counter[int]:
    rows = await Case.raw(
        f"SELECT {days} AS days, COUNT(*) AS cases {_REVIEWS} AND {only} GROUP BY {days}",
        cases,
    )
    return Counter({int(row["days"]): int(row["cases"]) for row in rows})


def median(histogram: Counter[int]) -> float | None:
    """The median of the values a histogram counts (the mean of the middle two when their
    number is even); None when it counts nothing."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def value_at(place: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if place < seen:
                return value
        raise AssertionError(place)

    return (value_at((total - 1) // 2) + value_at(total // 2)) / 2


async def review_figures(condition: Condition) -> ReviewFigures:
    cases = case_ids(condition).querystrings[0]
    rows = (
        await OutcomeReview.select(OutcomeReview.status, Count(alias="cases"))
        .where(OutcomeReview.case.is_in(case_ids(condition)))
        .group_by(OutcomeReview.status)
    )
    counted = {row["status"]: int(row["cases"]) for row in rows}
    submitted = await _histogram(_to_first_submission(), "r.first_submitted_at IS NOT NULL", cases)
    accepted = await _histogram(_to_acceptance(), "r.status = 'accepted'", cases)
    return ReviewFigures(
        by_status={status.value: counted.get(status, 0) for status in ReviewStatus},
        median_days_to_first_submission=median(submitted),
        median_days_to_acceptance=median(accepted),
    )


#: What the CSV adds at the end of each case's row.
CSV_COLUMNS = ("review_status", "review_version", "days_to_first_submission", "days_to_acceptance")


async def csv_columns(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Any, ...]]:
    """The review's columns of each of these (closed) cases, in one query; a case without a
    review is not in it."""
    if not ids:
        return {}
    rows = await Case.raw(
        'SELECT r."case" AS case_id, r.status, r.version, '
        f"CASE WHEN r.first_submitted_at IS NOT NULL THEN {_to_first_submission()} END AS submitting, "
        f"CASE WHEN r.status = 'accepted' THEN {_to_acceptance()} END AS accepting "
        f"{_REVIEWS}",
        QueryString(", ".join("{}" for _ in ids), *ids),
    )
    return {
        as_uuid(row["case_id"]): tuple(
            "" if row[name] is None else row[name]
            for name in ("status", "version", "submitting", "accepting")
        )
        for row in rows
    }
