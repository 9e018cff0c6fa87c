"""Who reaches a case, in which role, and what each role may see and do.

Outside its reach an organisation gets "not found", exactly as for a missing id, so that
no organisation learns that another's case exists.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from piccolo.columns.combination import Or, Where

from models.cases.tables import Case, Status
from models.errors import Forbidden
from models.organisations import Caller, OrganisationKind


class Role(StrEnum):
    opener = "opener"  #: the authority or centre that opened the case
    return_org = "return_org"  #: the case's return organisation
    partner = "partner"  #: the partner NGO assigned to the case
    story_reader = "story_reader"  #: a centre reading a completed case for a success story


#: Fields of ``Person`` each role may see; the partner meets the person, so it has the phone.
PERSON_FIELDS_SEEN_BY: dict[Role, tuple[str, ...]] = {
    Role.opener: ("given_name", "family_name", "date_of_birth", "sex", "nationality", "phone"),
    Role.return_org: ("given_name", "family_name", "date_of_birth", "sex", "nationality"),
    Role.partner: ("given_name", "family_name", "sex", "phone"),
    Role.story_reader: (),
}

#: Roles that see the representative, the plan's goals, the closing and cancelling notes,
#: and the reasons for extending the reflection period.
SEES_REPRESENTATIVE = frozenset({Role.opener, Role.return_org, Role.partner})
SEES_GOALS = frozenset({Role.opener, Role.return_org, Role.partner})
SEES_NOTES = frozenset({Role.opener, Role.return_org})
SEES_REFLECTION_HISTORY = frozenset({Role.opener})
#: Roles that see what a review of the outcome report asks to correct: the partner
#: corrects too. The notes of submissions are notes of the case (``SEES_NOTES``).
SEES_REVIEW_COMMENTS = frozenset({Role.opener, Role.return_org, Role.partner})

#: Who may do what, once the case is within reach.
MAY: dict[str, frozenset[Role]] = {
    "extend_reflection": frozenset({Role.opener}),
    "agree_plan": frozenset({Role.opener}),
    "record_departure": frozenset({Role.return_org}),
    "record_arrival": frozenset({Role.return_org, Role.partner}),
    "close": frozenset({Role.return_org, Role.opener}),
    "cancel": frozenset({Role.return_org, Role.opener}),
    "edit": frozenset({Role.return_org, Role.opener}),
    "read_followup": frozenset({Role.opener, Role.return_org, Role.partner}),
    "submit_report": frozenset({Role.return_org, Role.partner}),
    "record_payment": frozenset({Role.return_org, Role.partner}),
    "decide_payment": frozenset({Role.return_org}),
    "read_story_drafting": frozenset({Role.opener}),
    "unlock_story_drafting": frozenset({Role.opener}),
    "submit_outcome_report": frozenset({Role.return_org}),
    "review_outcome_report": frozenset({Role.opener}),
}


def roles_of(caller: Caller, case: dict[str, Any]) -> frozenset[Role]:
    """The roles ``caller`` holds on ``case`` (a row of ``Case``); empty means out of reach."""
    me = caller.organisation_id
    match caller.kind:
        case OrganisationKind.authority:
            roles = {Role.opener} if case["opened_by_org"] == me else set()
        case OrganisationKind.centre:
            if case["opened_by_org"] == me:
                roles = {Role.opener}
            elif case["status"] == Status.completed and case["consent_story_use"]:
                roles = {Role.story_reader}
            else:
                roles = set()
        case OrganisationKind.return_org:
            roles = {Role.return_org} if case["return_org"] == me else set()
        case OrganisationKind.partner:
            roles = {Role.partner} if case["partner_org"] == me else set()
    return frozenset(roles)


def within_reach(caller: Caller, case: Any = Case, *, stories: bool = True) -> Where | Or:
    """The same reach as ``roles_of``, as a condition for queries over many cases.

    ``case`` is the Case table or a foreign key to it (``Report.case``), so that records
    of a case are reached through their case. Without ``stories``, a centre reaches only
    the cases it opened: reports and payments are not material for stories."""
    me = caller.organisation_id
    match caller.kind:
        case OrganisationKind.authority:
            return case.opened_by_org == me
        case OrganisationKind.centre:
            opened = case.opened_by_org == me
            if not stories:
                return opened
            return opened | ((case.status == Status.completed) & (case.consent_story_use == True))
        case OrganisationKind.return_org:
            return case.return_org == me
        case OrganisationKind.partner:
            return case.partner_org == me


def require(action: str, roles: frozenset[Role]) -> None:
    if not roles & MAY[action]:
        allowed = " or ".join(sorted(MAY[action]))
        raise Forbidden(f"only the case's {allowed} may {action.replace('_', ' ')}")
