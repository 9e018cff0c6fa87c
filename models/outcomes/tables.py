"""Outcome reports frozen when a case is closed, their amended versions, and their review."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from models.cases.tables import Case
from models.organisations import Organisation, User


class FrozenOutcomeReport(Table):
    """The outcome report as it stood at closure (version 1); each later correction is a
    new version, all kept."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, index=True)
    version = Integer()
    #: ``closure`` or ``amendment``.
    reason = Varchar(length=20)
    #: The report as JSON, sealed (it holds the closure note).
    body = Text(secret=True)
    created_at = Timestamptz()
    created_by = ForeignKey(references=User, null=True, default=None)


class ReviewStatus(StrEnum):
    not_submitted = "not_submitted"  #: waits for the return organisation
    submitted = "submitted"  #: waits for the case's opener
    returned = "returned"  #: sent back for correction; waits for the return organisation
    accepted = "accepted"


class ReviewAction(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class OutcomeReview(Table):
    """How the review of a closed case's outcome report stands: one row per closed case,
    whose id is the case's. Its steps are kept apart (``OutcomeReviewStep``)."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, unique=True)
    status = Varchar(length=20, choices=ReviewStatus)
    #: The frozen version the status concerns; null while the case has none.
    version = Integer(null=True, default=None)
    #: When the review took its status (closure, a new version, a submission, a decision):
    #: reminders count their 30 days from it, and the queue is in its order (indexed with
    #: the status: see the migrations).
    since = Timestamptz()
    #: When the version concerned was submitted; null while it is not.
    submitted_at = Timestamptz(null=True, default=None)
    #: The first submission of any version, and the acceptance that stands: the figures'
    #: durations.
    first_submitted_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)


class OutcomeReviewStep(Table):
    """One step of a review, kept for its history: a submission or a decision."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, index=True)
    at = Timestamptz()
    organisation = ForeignKey(references=Organisation, null=False)
    actor = ForeignKey(references=User, null=False)
    action = Varchar(length=20, choices=ReviewAction)
    version = Integer()
    #: The submission's note or the decision's comment: sealed, null when none was given
    #: and once erased.
    comment = Text(null=True, default=None, secret=True)


TABLES = [FrozenOutcomeReport, OutcomeReview, OutcomeReviewStep]
