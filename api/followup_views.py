"""Response structs of follow-up records, tasks and sync pages."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime

import msgspec
from msgspec import UNSET, UnsetType

from api.case_views import CaseRead, View, case_view
from models.cases.money import from_hundredths
from models.sync import SyncPage
from models.tasks import Task


class ReportRead(View, kw_only=True):
    id: uuid.UUID
    case_id: uuid.UUID
    month: int
    visited_on: date
    contact: str
    housing: str
    livelihood: str
    children_in_school: bool | None = None
    wellbeing: int | None = None
    safety_concern: bool | None = None
    retrafficking_risk: str | None = None
    needs: str | None = None
    narrative: str | None = None
    organisation_id: uuid.UUID
    submitted_at: datetime


class PaymentRead(View, kw_only=True):
    id: uuid.UUID
    case_id: uuid.UUID
    month: int
    category: str
    #: A decimal string, never a float.
    amount: str
    currency: str
    paid_on: date
    recipient: str
    method: str
    receipt_id: uuid.UUID | None = None
    note: str | None = None
    relative_justification: str | None = None
    #: recorded | pending_approval | approved | rejected
    status: str
    over_budget: bool
    rejection_reason: str | None = None
    decided_at: datetime | None = None
    organisation_id: uuid.UUID
    recorded_at: datetime


class TaskRead(View, kw_only=True):
    """A task: ``monthly_report`` (with ``month``, ``due_on``, ``overdue``) or
    ``outcome_correction`` (with ``version``, ``returned_at``, ``comment``)."""

    #: monthly_report | outcome_correction
    kind: str
    case_id: uuid.UUID
    case_reference: str
    month: int | UnsetType = UNSET
    due_on: date | UnsetType = UNSET
    overdue: bool | UnsetType = UNSET
    #: The outcome report's version returned, when, and what to correct (null once the
    #: person's data was erased).
    version: int | UnsetType = UNSET
    returned_at: datetime | UnsetType = UNSET
    comment: str | UnsetType | None = UNSET


class ReportPage(msgspec.Struct):
    items: list[ReportRead]
    next_cursor: str | None = None


class PaymentPage(msgspec.Struct):
    items: list[PaymentRead]
    next_cursor: str | None = None


class TaskPage(msgspec.Struct):
    items: list[TaskRead]
    next_cursor: str | None


class SyncRead(msgspec.Struct):
    cases: list[CaseRead]
    reports: list[ReportRead]
    payments: list[PaymentRead]
    tasks: list[TaskRead]
    #: Ids of cases that left the caller's reach since the token.
    removed: list[uuid.UUID]
    #: Send as ``since`` next time.
    next: str
    more: bool


def report_view(row: dict) -> ReportRead:
    return ReportRead(
        id=row["id"],
        case_id=row["case"],
        month=row["month"],
        visited_on=row["visited_on"],
        contact=row["contact"],
        housing=row["housing"],
        livelihood=row["livelihood"],
        children_in_school=row["children_in_school"],
        wellbeing=row["wellbeing"],
        safety_concern=row["safety_concern"],
        retrafficking_risk=row["retrafficking_risk"],
        needs=row["needs"],
        narrative=row["narrative"],
        organisation_id=row["organisation"],
        submitted_at=row["submitted_at"],
    )


def payment_view(row: dict) -> PaymentRead:
    return PaymentRead(
        id=row["id"],
        case_id=row["case"],
        month=row["month"],
        category=row["category"],
        amount=from_hundredths(row["amount_hundredths"]),
        currency=row["currency"],
        paid_on=row["paid_on"],
        recipient=row["recipient"],
        method=row["method"],
        receipt_id=row["receipt"],
        note=row["note"],
        relative_justification=row["relative_justification"],
        status=row["status"],
        over_budget=row["over_budget"],
        rejection_reason=row["rejection_reason"],
        decided_at=row["decided_at"],
        organisation_id=row["organisation"],
        recorded_at=row["recorded_at"],
    )


def task_view(task: Task) -> TaskRead:
    return TaskRead(**dataclasses.asdict(task))


def sync_view(page: SyncPage, next_token: str) -> SyncRead:
    return SyncRead(
        cases=[case_view(record) for record in page.cases],
        reports=[report_view(row) for row in page.reports],
        payments=[payment_view(row) for row in page.payments],
        tasks=[task_view(task) for task in page.tasks],
        removed=page.removed,
        next=next_token,
        more=page.more,
    )
