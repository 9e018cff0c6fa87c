"""The review of a closed case's outcome report: the case's return organisation submits the
latest frozen version, and the case's opener accepts it or returns it saying what to
correct. A returned report stays returned, its corrections making new versions, until it
is submitted again.

Each step checks, as the case's transitions do: reach (404), role (403), state (409), then
the rules (422); sent again, it changes nothing. A step that changes the review is kept in
its history (the note or comment sealed), audited, raises its event (which carries no note
or comment), and gives the case a new change number, so that phones sync the case again
with its tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from piccolo.query import Select

from models import audit, changes, clock, database, outbox, sealing
from models.cases.reach import Role, require, within_reach
from models.cases.records import reachable_case
from models.cases.tables import Case, CaseRow
from models.database import Row
from models.errors import Conflict, Forbidden, RuleViolation
from models.organisations import Caller, OrganisationKind
from models.outcomes.commands import Decision, OutcomeDecision, OutcomeSubmission
from models.outcomes.frozen import CLOSED, freeze_on_closure
from models.outcomes.report import Shown, shown
from models.outcomes.review_state import review_row, steps_of
from models.outcomes.tables import OutcomeReview, OutcomeReviewStep, ReviewAction, ReviewStatus
from models.outcomes.versions import latest_of

#: The organisations that open cases, and so decide on their outcome reports.
REVIEWERS = frozenset({OrganisationKind.authority, OrganisationKind.centre})

#: What a decision makes of the review.
STATUS_AFTER = {Decision.accepted: ReviewStatus.accepted, Decision.returned: ReviewStatus.returned}


async def _latest_version(case_id: uuid.UUID, caller: Caller) -> int:
    """The latest frozen version; a case closed before reports were frozen is frozen now."""
    latest = await latest_of(case_id)
    if latest is None:
        await freeze_on_closure(case_id, caller)
        latest = await latest_of(case_id)
    return latest["version"]


async def _keep_step(
    caller: Caller,
    case: CaseRow,
    action: ReviewAction,
    *,
    version: int,
    comment: str | None,
    at: datetime,
) -> None:
    """The step in the history, its audit entry and its event; then the case's change
    number, the last statement of the transaction (``models.changes``)."""
    step_id = uuid.uuid4()
    await OutcomeReviewStep(
        id=step_id,
        case=case["id"],
        at=at,
        organisation=caller.organisation_id,
        actor=caller.user_id,
        action=action,
        version=version,
        **sealing.seal(OutcomeReviewStep, {"comment": comment}, row_id=step_id, case_id=case["id"]),
    ).save()
    await audit.record(caller, f"outcome.{action.value}", [case["id"]])
    await outbox.emit(
        f"outcome.{action.value}",
        case_id=case["id"],
        case_reference=case["reference"],
        data={"version": version},
    )


async def _as_it_stands(caller: Caller, case: CaseRow, roles: frozenset[Role]) -> Shown:
    """The answer to a step sent again, which changes nothing: the report read."""
    await audit.record(caller, "case.outcome_report_read", [case["id"]])
    return await shown(case, roles)


async def submit_report(*, caller: Caller, case_id: uuid.UUID, data: OutcomeSubmission) -> Shown:
    """Submit the latest frozen version (the case's return organisation, once it is closed).
    The version submitted already is not submitted twice; a version returned is submitted
    again unchanged only with a note saying why."""
    async with database.transaction():
        case, roles = await reachable_case(caller, case_id, lock=True)
        require("submit_outcome_report", roles)
        if case["status"] not in CLOSED:
            raise Conflict(
                f"the case is {case['status']}; its outcome report is submitted once it is "
                "completed or closed early"
            )
        version = await _latest_version(case_id, caller)
        review = await review_row(case_id)
        if review["version"] == version:
            if review["status"] == ReviewStatus.submitted:
                return await _as_it_stands(caller, case, roles)  # sent again
            if review["status"] == ReviewStatus.accepted:
                raise Conflict(f"version {version} of the outcome report is accepted already")
            if review["status"] == ReviewStatus.returned and not (data.note or "").strip():
                raise RuleViolation.on(
                    "note",
                    "the version returned is submitted again unchanged only with a note saying why",
                )
        now = clock.now()
        await OutcomeReview.update(
            {
                OutcomeReview.status: ReviewStatus.submitted,
                OutcomeReview.version: version,
                OutcomeReview.since: now,
                OutcomeReview.submitted_at: now,
                OutcomeReview.first_submitted_at: review["first_submitted_at"] or now,
                OutcomeReview.accepted_at: None,
            }
        ).where(OutcomeReview.id == case_id)
        await _keep_step(
            caller, case, ReviewAction.submitted, version=version, comment=data.note, at=now
        )
        answer = await shown(case, roles)
        await changes.stamp(Case, case_id)
        return answer


async def _same_decision(case_id: uuid.UUID, data: OutcomeDecision) -> bool:
    if data.decision is Decision.accepted:
        return True
    last = (await steps_of(case_id))[-1]
    return last["comment"] == data.comment


async def review_report(*, caller: Caller, case_id: uuid.UUID, data: OutcomeDecision) -> Shown:
    """Accept the version submitted, or return it with a comment saying what to correct
    (the case's opener). The same decision sent again changes nothing."""
    async with database.transaction():
        case, roles = await reachable_case(caller, case_id, lock=True)
        require("review_outcome_report", roles)
        review = await review_row(case_id)
        if review is None:
            raise Conflict(f"the case is {case['status']}; no outcome report is submitted yet")
        as_read = data.version is None or data.version == review["version"]
        after = STATUS_AFTER[data.decision]
        if review["status"] == after and as_read and await _same_decision(case_id, data):
            return await _as_it_stands(caller, case, roles)  # sent again
        if review["status"] != ReviewStatus.submitted:
            raise Conflict(
                f"the outcome report is {review['status'].replace('_', ' ')}; only a "
                "submitted report is reviewed"
            )
        if not as_read:
            raise Conflict(
                f"version {data.version} is no longer the one submitted: version "
                f"{review['version']} is"
            )
        if data.decision is Decision.returned and not (data.comment or "").strip():
            raise RuleViolation.on(
                "comment", "a report returned needs a comment saying what to correct"
            )
        now = clock.now()
        await OutcomeReview.update(
            {
                OutcomeReview.status: after,
                OutcomeReview.since: now,
                OutcomeReview.accepted_at: now if after is ReviewStatus.accepted else None,
            }
        ).where(OutcomeReview.id == case_id)
        await _keep_step(
            caller,
            case,
            ReviewAction(data.decision.value),
            version=review["version"],
            comment=data.comment,
            at=now,
        )
        answer = await shown(case, roles)
        await changes.stamp(Case, case_id)
        return answer


# --- The queue, and the corrections asked for --------------------------------------------------


def require_reviewer(caller: Caller) -> None:
    """Only an organisation that opens cases has reports waiting for its decision."""
    if caller.kind not in REVIEWERS:
        raise Forbidden("only the authority or the centre that opened a case reviews its report")


async def queue(
    *,
    caller: Caller,
    status: ReviewStatus | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> tuple[list[Row], tuple[datetime, uuid.UUID] | None]:
    """The reviews of the closed cases within the caller's reach, longest in their status
    first, a page at a time; ``after`` is the last (since, case id) seen."""
    query = OutcomeReview.select(
        OutcomeReview.id,
        OutcomeReview.status,
        OutcomeReview.version,
        OutcomeReview.since,
        OutcomeReview.submitted_at,
        OutcomeReview.case.reference.as_alias("case_reference"),
        OutcomeReview.case.closed_on.as_alias("closed_on"),
        OutcomeReview.case.outcome.as_alias("outcome"),
    ).where(within_reach(caller, OutcomeReview.case, stories=False))
    if status is not None:
        query = query.where(OutcomeReview.status == status)
    if after is not None:
        since, case_id = after
        query = query.where(
            (OutcomeReview.since > since)
            | ((OutcomeReview.since == since) & (OutcomeReview.id > case_id))
        )
    rows = await query.order_by(OutcomeReview.since, OutcomeReview.id).limit(limit + 1)
    page, more = rows[:limit], len(rows) > limit
    return page, (page[-1]["since"], page[-1]["id"]) if more else None


def returned_cases() -> Select:
    """The ids of the cases whose report was returned and waits for its correction."""
    return OutcomeReview.select(OutcomeReview.id).where(
        OutcomeReview.status == ReviewStatus.returned
    )


@dataclass(frozen=True)
class Correction:
    """A correction asked for: the version returned, when, and the comment (None once
    erased)."""

    version: int
    returned_at: datetime
    comment: str | None


async def corrections_of(case_ids: list[uuid.UUID]) -> dict[uuid.UUID, Correction]:
    """The corrections asked of these cases, in two queries: each returned report's latest
    return, its comment opened."""
    if not case_ids:
        return {}
    reviews = await OutcomeReview.select(
        OutcomeReview.id, OutcomeReview.version, OutcomeReview.since
    ).where(OutcomeReview.id.is_in(case_ids), OutcomeReview.status == ReviewStatus.returned)
    if not reviews:
        return {}
    steps = (
        await OutcomeReviewStep.select(
            OutcomeReviewStep.id, OutcomeReviewStep.case, OutcomeReviewStep.comment
        )
        .where(
            OutcomeReviewStep.case.is_in([review["id"] for review in reviews]),
            OutcomeReviewStep.action == ReviewAction.returned,
        )
        .order_by(OutcomeReviewStep.at)
    )
    latest = {step["case"]: step for step in steps}
    return {
        review["id"]: Correction(
            version=review["version"],
            returned_at=review["since"],
            comment=sealing.open_row(OutcomeReviewStep, latest[review["id"]])["comment"],
        )
        for review in reviews
    }


async def erase_review_comments(case_id: uuid.UUID) -> None:
    """The person's data is erased: the notes and comments of the review go with it; its
    steps, their dates and versions stay, as the case's figures do."""
    await sealing.erase(OutcomeReviewStep, case_id=case_id)
