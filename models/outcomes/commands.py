"""Request bodies of the outcome review."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from msgspec import Meta

from models.cases.commands import Note, Strict


class Decision(StrEnum):
    accepted = "accepted"
    returned = "returned"


class OutcomeSubmission(Strict):
    #: Needed to submit again, unchanged, a version that was returned: saying why.
    note: Note | None = None


class OutcomeDecision(Strict):
    decision: Decision
    #: What to correct: needed when the report is returned.
    comment: Note | None = None
    #: The version reviewed, as read: a review of a version no longer the one submitted is
    #: refused rather than applied to another.
    version: Annotated[int, Meta(ge=1, le=2**31 - 1)] | None = None
