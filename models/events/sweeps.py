"""Sweeps over all due work, set-based: overdue follow-up months, reflection periods
about to end, support windows that closed, outcome reports waiting to be submitted or
reviewed. Each reads its cases in one or two queries
and writes its events a batch per statement, however many cases there are. Each raises
its events once, however often it runs and in however many processes (the events'
unique keys decide)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from models import database
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import Case, CaseRow, Status
from models.followup.due import month_due_on, month_is_due
from models.followup.progress import months_reported
from models.outbox import Due, emit_due
from models.outcomes.tables import OutcomeReview, ReviewStatus

REFLECTION_WARNING_DAYS = 7
#: Days an outcome report waits to be submitted, or to be reviewed, before a reminder.
REVIEW_REMINDER_DAYS = 30
#: The reminder of a review that waits in each status.
REMINDER_OF = {
    ReviewStatus.not_submitted: "outcome.not_submitted",
    ReviewStatus.submitted: "outcome.review_pending",
}

log = logging.getLogger(__name__)


def overdue_months(
    arrived_on: date, reported: set[int], *, today: date, grace_days: int
) -> list[int]:
    return [
        month
        for month in MONTHS_OF_SUPPORT
        if month not in reported
        and month_is_due(arrived_on, month, today=today, grace_days=grace_days)
    ]


def _active() -> Any:
    return Case.status == Status.reintegration


def _overdue_events(case: CaseRow, reported: set[int], today: date, grace_days: int) -> list[Due]:
    overdue = overdue_months(case["arrived_on"], reported, today=today, grace_days=grace_days)
    due = []
    for month in overdue:
        due.append(
            Due(
                "followup.overdue",
                case["id"],
                case["reference"],
                {"month": month, "due_on": month_due_on(case["arrived_on"], month)},
                f"followup.overdue:{case['id']}:{month}",
            )
        )
        if month - 1 in overdue:
            due.append(
                Due(
                    "followup.escalated",
                    case["id"],
                    case["reference"],
                    {"months": [month - 1, month]},
                    f"followup.escalated:{case['id']}:{month}",
                )
            )
    return due


async def followup_sweep(*, today: date, grace_days: int) -> int:
    """``followup.overdue`` the first time a month is overdue; ``followup.escalated`` (for
    the return organisation) when two consecutive months are."""
    async with database.lock("followup-sweep", wait=False) as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.arrived_on).where(_active())
        reported = await months_reported(Case.select(Case.id).where(_active()))
        due: list[Due] = []
        for case in cases:
            try:
                due += _overdue_events(case, reported[case["id"]], today, grace_days)
            except Exception:
                log.exception("follow-up sweep failed for case %s", case["id"])
        return await emit_due(due)


async def reflection_sweep(*, today: date) -> int:
    """``reflection.ending`` seven days before a reflection period ends: once per end date,
    so again after an extension moves it."""
    async with database.lock("reflection-sweep", wait=False) as mine:
        if not mine:
            return 0
        cases = await Case.select(Case.id, Case.reference, Case.reflection_period_end).where(
            Case.status.is_in([Status.reflection, Status.planned]),
            Case.reflection_period_end > today,
            Case.reflection_period_end <= today + timedelta(days=REFLECTION_WARNING_DAYS),
        )
        return await emit_due(
            [
                Due(
                    "reflection.ending",
                    case["id"],
                    case["reference"],
                    {"reflection_period_end": case["reflection_period_end"]},
                    f"reflection.ending:{case['id']}:{case['reflection_period_end']}",
                )
                for case in cases
            ]
        )


async def support_sweep(*, today: date) -> int:
    """``support.ended`` once the six-month window has closed, with the months that have no
    report."""
    async with database.lock("support-sweep", wait=False) as mine:
        if not mine:
            return 0
        ended = _active() & (Case.support_ends_on <= today)
        cases = await Case.select(Case.id, Case.reference, Case.support_ends_on).where(ended)
        reported = await months_reported(Case.select(Case.id).where(ended))
        return await emit_due(
            [
                Due(
                    "support.ended",
                    case["id"],
                    case["reference"],
                    {
                        "support_ends_on": case["support_ends_on"],
                        "months_without_report": [
                            m for m in MONTHS_OF_SUPPORT if m not in reported[case["id"]]
                        ],
                    },
                    f"support.ended:{case['id']}",
                )
                for case in cases
            ]
        )


async def outcome_review_sweep(*, now: datetime) -> int:
    """``outcome.not_submitted`` (for the return organisation) when a closed case's report,
    or a new version of it, waits 30 days without a submission; ``outcome.review_pending``
    (for the case's opener) when a submitted report waits 30 days without a decision. Once
    per version and wait: a report submitted again waits anew."""
    async with database.lock("outcome-review-sweep", wait=False) as mine:
        if not mine:
            return 0
        waiting = await OutcomeReview.select(
            OutcomeReview.id,
            OutcomeReview.case.reference.as_alias("reference"),
            OutcomeReview.status,
            OutcomeReview.version,
            OutcomeReview.since,
        ).where(
            OutcomeReview.status.is_in(list(REMINDER_OF)),
            OutcomeReview.since <= now - timedelta(days=REVIEW_REMINDER_DAYS),
        )
        return await emit_due(
            [
                Due(
                    REMINDER_OF[review["status"]],
                    review["id"],
                    review["reference"],
                    {"version": review["version"], "waiting_since": review["since"]},
                    f"{REMINDER_OF[review['status']]}:{review['id']}:{review['version']}:"
                    f"{int(review['since'].timestamp())}",
                )
                for review in waiting
            ]
        )
