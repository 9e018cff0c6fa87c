"""How the review of a case's outcome report stands, with its history, as a role may see
it. The outcome report carries it; ``models.outcomes.review`` changes it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from msgspec import UNSET, UnsetType

from models import sealing
from models.cases.reach import SEES_NOTES, SEES_REVIEW_COMMENTS, Role
from models.database import Row
from models.outcomes.tables import OutcomeReview, OutcomeReviewStep, ReviewAction, ReviewStatus


@dataclass(frozen=True)
class Step:
    at: datetime
    organisation_id: uuid.UUID
    action: str
    version: int
    #: The submission's note or the decision's comment; UNSET for a role that does not
    #: see it.
    comment: str | UnsetType | None


@dataclass(frozen=True)
class Review:
    status: str
    #: The frozen version the status concerns; None before the case has one.
    version: int | None
    history: list[Step]


async def review_row(case_id: uuid.UUID) -> Row | None:
    """The review's row; None while the case is not closed."""
    return await OutcomeReview.select().where(OutcomeReview.id == case_id).first()


async def steps_of(case_id: uuid.UUID) -> list[Row]:
    """The review's steps, oldest first, their comments opened."""
    rows = (
        await OutcomeReviewStep.select()
        .where(OutcomeReviewStep.case == case_id)
        .order_by(OutcomeReviewStep.at)
        .order_by(OutcomeReviewStep.id)
    )
    return [sealing.open_row(OutcomeReviewStep, row) for row in rows]


def _seen(step: Row, roles: frozenset[Role]) -> Step:
    sees = SEES_NOTES if step["action"] == ReviewAction.submitted else SEES_REVIEW_COMMENTS
    return Step(
        at=step["at"],
        organisation_id=step["organisation"],
        action=step["action"],
        version=step["version"],
        comment=step["comment"] if roles & sees else UNSET,
    )


async def review_of(case_id: uuid.UUID, roles: frozenset[Role]) -> Review:
    """The review as ``roles`` see it; an open case's report is not submitted, of no version."""
    row = await review_row(case_id)
    if row is None:
        return Review(status=ReviewStatus.not_submitted, version=None, history=[])
    history = [_seen(step, roles) for step in await steps_of(case_id)]
    return Review(status=row["status"], version=row["version"], history=history)
