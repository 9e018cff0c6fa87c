"""HTTP routes of the outcome review: the return organisation submits a closed case's outcome
report, the case's opener accepts it or returns it for correction, and each organisation
reads its queue (see ``models/outcomes/review.py``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api import pagination
from api.auth import CurrentCaller
from api.etags import cacheable
from api.outcomes import OutcomeReportRead, report_view
from api.pagination import DEFAULT_LIMIT, Limit
from models.outcomes import review
from models.outcomes.commands import OutcomeDecision, OutcomeSubmission
from models.outcomes.tables import ReviewStatus


class OutcomeReviewSummary(msgspec.Struct, kw_only=True):
    """A closed case's review, as its queue lists it: no personal data."""

    case_id: uuid.UUID
    case_reference: str
    #: not_submitted | submitted | returned | accepted
    status: str
    #: The frozen version the status concerns.
    version: int | None
    #: When that version was submitted; null while it is not.
    submitted_at: datetime | None
    closed_on: date | None
    outcome: str | None
    #: When the review took its status: the queue is in this order, the longest waiting first.
    since: datetime


class OutcomeReviewPage(msgspec.Struct):
    items: list[OutcomeReviewSummary]
    next_cursor: str | None


@post("/cases/{case_id:uuid}/outcome-report/submission", status_code=200, tags=["outcomes"])
async def submit_outcome_report(
    caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[OutcomeSubmission]
) -> OutcomeReportRead:
    """Submit the latest frozen version of a closed case's outcome report for review (the
    case's return organisation), with a note. The same version sent again changes nothing;
    a version returned is submitted again unchanged only with a note saying why."""
    return report_view(await review.submit_report(caller=caller, case_id=case_id, data=data))


@post("/cases/{case_id:uuid}/outcome-report/review", status_code=200, tags=["outcomes"])
async def review_outcome_report(
    caller: CurrentCaller, case_id: FromPath[uuid.UUID], data: JSONBody[OutcomeDecision]
) -> OutcomeReportRead:
    """Accept the version submitted, or return it with a ``comment`` saying what to correct
    (the case's opener); give ``version`` to be sure it is the one read. The same decision
    sent again changes nothing."""
    return report_view(await review.review_report(caller=caller, case_id=case_id, data=data))


@get("/outcome-reviews", tags=["outcomes"])
async def list_outcome_reviews(
    request: Request[Any, Any, Any],
    caller: CurrentCaller,
    status: FromQuery[ReviewStatus | None] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response[OutcomeReviewPage]:
    """The reviews of the closed cases within the caller's reach, the longest waiting first:
    ``status=submitted`` is the opener's queue, ``not_submitted`` and ``returned`` the
    return organisation's."""
    rows, following = await review.queue(
        caller=caller,
        status=status,
        after=pagination.decode(cursor, tuple[datetime, uuid.UUID]),
        limit=limit,
    )
    items = [
        OutcomeReviewSummary(
            case_id=row["id"],
            case_reference=row["case_reference"],
            status=row["status"],
            version=row["version"],
            submitted_at=row["submitted_at"],
            closed_on=row["closed_on"],
            outcome=row["outcome"],
            since=row["since"],
        )
        for row in rows
    ]
    next_cursor = pagination.encode(following) if following else None
    return cacheable(request, OutcomeReviewPage(items=items, next_cursor=next_cursor))


#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = [submit_outcome_report, review_outcome_report, list_outcome_reviews]
