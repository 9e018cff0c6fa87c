"""The coarse facts a published story carries, and the cohort that hides its person.

A story tells its reader the origin country, the year of return, the forms of
exploitation, the categories of support received and the outcome: never a name, a date or
an id. Even so, a country, a year and a form of exploitation that only one or two returns
share would point at a person; the year is widened to a range until at least
``MIN_COHORT`` completed cases share the combination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.cases.tables import Case, Status
from models.errors import RuleViolation
from models.followup.tables import DISBURSED, Payment

#: The fewest completed cases that must share a published story's facts.
MIN_COHORT = 3
#: The year of return is widened at most this many years to each side.
MAX_WIDENING = 5
#: The code of the refusal of a case too few others resemble (``FieldError.code``).
TOO_FEW_ALIKE = "too_few_alike"


@dataclass(frozen=True)
class CoarseFacts:
    origin_country: str
    return_year_from: int
    return_year_to: int
    #: Sorted and comma-separated, as stored.
    exploitation: str
    support_categories: str
    outcome: str

    def columns(self) -> dict[str, Any]:
        return {
            "origin_country": self.origin_country,
            "return_year_from": self.return_year_from,
            "return_year_to": self.return_year_to,
            "exploitation": self.exploitation,
            "support_categories": self.support_categories,
            "outcome": self.outcome,
        }


def return_years(year_from: int | None, year_to: int | None) -> str | None:
    """ "2026", or "2025–2027" for a widened range."""
    if year_from is None or year_to is None:
        return None
    return str(year_from) if year_from == year_to else f"{year_from}–{year_to}"


async def cohort_size(*, origin_country: str, exploitation: str, years: tuple[int, int]) -> int:
    """Completed cases of this origin and these forms of exploitation that arrived in
    ``years`` (both included)."""
    first, last = years
    return await Case.count().where(
        Case.status == Status.completed,
        Case.origin_country == origin_country,
        Case.exploitation == exploitation,
        Case.arrived_on >= date(first, 1, 1),
        Case.arrived_on < date(last + 1, 1, 1),
    )


async def widened_years(case: dict[str, Any], *, min_cohort: int) -> tuple[int, int] | None:
    """The narrowest symmetric range of years around the case's arrival that at least
    ``min_cohort`` completed cases share with it; None when even ±MAX_WIDENING is too few."""
    year = case["arrived_on"].year
    for widening in range(MAX_WIDENING + 1):
        years = (year - widening, year + widening)
        size = await cohort_size(
            origin_country=case["origin_country"], exploitation=case["exploitation"], years=years
        )
        if size >= min_cohort:
            return years
    return None


async def support_categories(case_id: Any) -> str:
    """The categories of the payments disbursed to the case, sorted and comma-separated."""
    rows = await (
        Payment.select(Payment.category)
        .where(Payment.case == case_id, Payment.status.is_in(list(DISBURSED)))
        .distinct()
    )
    return ",".join(sorted({row["category"] for row in rows}))


async def coarse_facts(case: dict[str, Any], *, min_cohort: int = MIN_COHORT) -> CoarseFacts:
    """The facts to publish with a story of ``case`` (a completed case's row), or a 422
    when too few completed cases share them."""
    years = await widened_years(case, min_cohort=min_cohort)
    if years is None:
        raise RuleViolation.on(
            "case_id",
            f"fewer than {min_cohort} completed cases share the case's origin country, forms "
            f"of exploitation and year of return, even within {MAX_WIDENING} years of it: "
            "a published story could point at the person",
            TOO_FEW_ALIKE,
        )
    return CoarseFacts(
        origin_country=case["origin_country"],
        return_year_from=years[0],
        return_year_to=years[1],
        exploitation=case["exploitation"],
        support_categories=await support_categories(case["id"]),
        outcome=case["outcome"],
    )
