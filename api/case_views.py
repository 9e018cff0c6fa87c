"""Response structs of a case, shaped by the caller's role: nobody gets a field it has no use for."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec

from api.audit import AuditEntryRead, entry_view
from models.cases.money import from_hundredths
from models.cases.reach import (
    PERSON_FIELDS_SEEN_BY,
    SEES_GOALS,
    SEES_NOTES,
    SEES_REFLECTION_HISTORY,
    SEES_REPRESENTATIVE,
)
from models.cases.records import CaseRecord


class View(msgspec.Struct, omit_defaults=True, kw_only=True):
    """Responses leave out what the caller may not see, rather than sending nulls."""


class PersonView(View, kw_only=True):
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    nationality: str | None = None
    phone: str | None = None


class RepresentativeView(View, kw_only=True):
    name: str
    role: str


class ConsentView(View, kw_only=True):
    data_sharing: bool
    story_use: bool


class ReflectionExtensionView(View, kw_only=True):
    days: int
    reason: str
    added_on: date


class BudgetLineView(View, kw_only=True):
    category: str
    amount: str
    currency: str


class PlanView(View, kw_only=True):
    agreed_on: date
    goals: str | None = None
    budget: list[BudgetLineView] = []


class ClosureView(View, kw_only=True):
    outcome: str
    closed_on: date
    note: str | None = None


class CancellationView(View, kw_only=True):
    cancelled_on: date
    reason: str | None = None


class CaseRead(View, kw_only=True):
    id: uuid.UUID
    reference: str
    status: str
    residence_status: str
    origin_country: str
    exploitation: list[str]
    identified_on: date
    reflection_period_start: date
    reflection_period_end: date
    opened_by_org_id: uuid.UUID
    return_org_id: uuid.UUID
    partner_org_id: uuid.UUID | None = None
    consent: ConsentView
    person: PersonView | None = None
    representative: RepresentativeView | None = None
    reflection_extensions: list[ReflectionExtensionView] | None = None
    plan: PlanView | None = None
    departed_on: date | None = None
    arrived_on: date | None = None
    #: The first day after the six-month support window that opened on arrival.
    support_ends_on: date | None = None
    #: The six-month window has closed; ``months_without_report`` lists what is missing.
    support_ended: bool = False
    months_without_report: list[int] | None = None
    closure: ClosureView | None = None
    cancellation: CancellationView | None = None
    legal_hold: bool = False
    personal_data_erased_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ConsentChangeRead(View, kw_only=True):
    consent: str
    given: bool
    changed_at: datetime


class CaseExport(View, kw_only=True):
    """Everything stored about the person, for a data-subject access request."""

    case: CaseRead
    consent_history: list[ConsentChangeRead]
    audit_trail: list[AuditEntryRead]


def export_view(export: dict) -> CaseExport:
    return CaseExport(
        case=case_view(export["record"]),
        consent_history=[ConsentChangeRead(**change) for change in export["consent_history"]],
        audit_trail=[entry_view(entry) for entry in export["audit_trail"]],
    )


class CasePage(msgspec.Struct):
    items: list[CaseRead]
    next_cursor: str | None


def _person(record: CaseRecord) -> PersonView | None:
    fields = {name for role in record.roles for name in PERSON_FIELDS_SEEN_BY[role]}
    if not fields or record.person is None:
        return None
    return PersonView(**{name: record.person[name] for name in fields})


def case_view(record: CaseRecord) -> CaseRead:
    case, roles = record.case, record.roles
    sees = roles.__and__
    representative = None
    if sees(SEES_REPRESENTATIVE) and record.person and record.person["representative_name"]:
        representative = RepresentativeView(
            name=record.person["representative_name"], role=record.person["representative_role"]
        )
    plan = None
    if case["plan_agreed_on"] is not None:
        plan = PlanView(
            agreed_on=case["plan_agreed_on"],
            goals=case["plan_goals"] if sees(SEES_GOALS) else None,
            budget=[
                BudgetLineView(
                    category=line["category"],
                    amount=from_hundredths(line["amount_hundredths"]),
                    currency=line["currency"],
                )
                for line in record.budget
            ],
        )
    closure = None
    if case["closed_on"] is not None:
        closure = ClosureView(
            outcome=case["outcome"],
            closed_on=case["closed_on"],
            note=case["closure_note"] if sees(SEES_NOTES) else None,
        )
    cancellation = None
    if case["cancelled_on"] is not None:
        cancellation = CancellationView(
            cancelled_on=case["cancelled_on"],
            reason=case["cancellation_reason"] if sees(SEES_NOTES) else None,
        )
    extensions = None
    if sees(SEES_REFLECTION_HISTORY):
        extensions = [
            ReflectionExtensionView(
                days=e["days"], reason=e["reason"], added_on=e["added_at"].date()
            )
            for e in record.extensions
        ]
    return CaseRead(
        id=case["id"],
        reference=case["reference"],
        status=case["status"],
        residence_status=case["residence_status"],
        origin_country=case["origin_country"],
        exploitation=case["exploitation"].split(","),
        identified_on=case["identified_on"],
        reflection_period_start=case["reflection_period_start"],
        reflection_period_end=case["reflection_period_end"],
        opened_by_org_id=case["opened_by_org"],
        return_org_id=case["return_org"],
        partner_org_id=case["partner_org"],
        consent=ConsentView(
            data_sharing=case["consent_data_sharing"], story_use=case["consent_story_use"]
        ),
        person=_person(record),
        representative=representative,
        reflection_extensions=extensions,
        plan=plan,
        departed_on=case["departed_on"],
        arrived_on=case["arrived_on"],
        support_ends_on=case["support_ends_on"],
        support_ended=record.support_ended,
        months_without_report=record.months_without_report if record.support_ended else None,
        closure=closure,
        cancellation=cancellation,
        legal_hold=case["legal_hold"],
        personal_data_erased_at=case["personal_data_erased_at"],
        created_at=case["created_at"],
        updated_at=case["updated_at"],
    )
