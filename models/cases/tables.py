"""The tables of a case. Personal data lives apart from the case, in ``Person``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TypedDict

from piccolo.columns import (
    UUID,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from models.organisations import Organisation, User


class Status(StrEnum):
    reflection = "reflection"
    planned = "planned"
    departed = "departed"
    reintegration = "reintegration"
    completed = "completed"
    closed_early = "closed_early"
    cancelled = "cancelled"


class ResidenceStatus(StrEnum):
    asylum_seeker = "asylum_seeker"
    no_legal_residence = "no_legal_residence"
    legal_residence = "legal_residence"


class Exploitation(StrEnum):
    prostitution = "prostitution"
    forced_labour = "forced_labour"
    criminal_activities = "criminal_activities"
    other = "other"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = "unknown"


class RepresentativeRole(StrEnum):
    custodian = "custodian"
    personal_representative = "personal_representative"


class Outcome(StrEnum):
    completed = "completed"
    withdrew = "withdrew"
    lost_contact = "lost_contact"
    re_trafficked = "re_trafficked"
    deceased = "deceased"
    other = "other"


class SupportCategory(StrEnum):
    housing = "housing"
    business = "business"
    education = "education"
    school_fees = "school_fees"
    pocket_money = "pocket_money"
    food = "food"
    medical = "medical"
    travel = "travel"
    other = "other"


class Case(Table, tablename="return_case"):
    """One prepared return, from identification to the end of reintegration support."""

    id = UUID(primary_key=True)
    #: Human-readable and unique, e.g. DK-2026-0042.
    reference = Varchar(length=20, unique=True)
    status = Varchar(length=20, choices=Status, index=True)
    residence_status = Varchar(length=20, choices=ResidenceStatus)
    #: ISO 3166-1 alpha-2.
    origin_country = Varchar(length=2, index=True)
    #: Forms of exploitation, sorted and comma-separated.
    exploitation = Varchar(length=100)
    identified_on = Date()
    reflection_period_start = Date()
    reflection_period_end = Date()
    opened_by_org = ForeignKey(references=Organisation, null=False, index=True)
    opened_by = ForeignKey(references=User, null=False)
    return_org = ForeignKey(references=Organisation, null=False, index=True)
    partner_org = ForeignKey(references=Organisation, null=True, index=True)
    consent_data_sharing = Boolean(default=False)
    consent_story_use = Boolean(default=False)
    plan_agreed_on = Date(null=True, default=None)
    #: Sealed (``secret``), like every column of personal data: see ``models.sealing``.
    plan_goals = Text(null=True, default=None, secret=True)
    departed_on = Date(null=True, default=None)
    arrived_on = Date(null=True, default=None)
    #: First day after the six-month support window ``[arrived_on, support_ends_on)``.
    support_ends_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    outcome = Varchar(length=20, choices=Outcome, null=True, default=None)
    closure_note = Text(null=True, default=None, secret=True)
    cancelled_on = Date(null=True, default=None)
    cancellation_reason = Text(null=True, default=None, secret=True)
    #: Set by the authority: the personal data must be kept beyond the retention period.
    legal_hold = Boolean(default=False)
    #: When the personal data was erased (on request or after retention); the case stays.
    personal_data_erased_at = Timestamptz(null=True, default=None)
    #: Why it was erased: "retention period ended", or the reason given with the request.
    erasure_reason = Text(null=True, default=None, secret=True)
    created_at = Timestamptz(index=True, index_method=IndexMethod.btree)
    updated_at = Timestamptz(index=True)
    #: Number of the last change, for delta sync (see ``models.changes``).
    change_seq = BigInt(default=0, index=True)


class CaseRow(TypedDict):
    """A case's row as it crosses module lines: every column of ``Case``, sealed ones
    opened (tests/models/test_typed_rows.py holds the two to the same names)."""

    id: uuid.UUID
    reference: str
    status: str
    residence_status: str
    origin_country: str
    exploitation: str
    identified_on: date
    reflection_period_start: date
    reflection_period_end: date
    opened_by_org: uuid.UUID
    opened_by: uuid.UUID
    return_org: uuid.UUID
    partner_org: uuid.UUID | None
    consent_data_sharing: bool
    consent_story_use: bool
    plan_agreed_on: date | None
    plan_goals: str | None
    departed_on: date | None
    arrived_on: date | None
    support_ends_on: date | None
    closed_on: date | None
    outcome: str | None
    closure_note: str | None
    cancelled_on: date | None
    cancellation_reason: str | None
    legal_hold: bool
    personal_data_erased_at: datetime | None
    erasure_reason: str | None
    created_at: datetime
    updated_at: datetime
    change_seq: int


class Person(Table):
    """The returnee and their representative: the personal data of a case."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, unique=True)
    #: Sealed (``secret``), like every column of personal data: see ``models.sealing``.
    given_name = Text(null=True, default=None, secret=True)
    family_name = Text(null=True, default=None, secret=True)
    #: ISO date, sealed.
    date_of_birth = Text(null=True, default=None, secret=True)
    sex = Varchar(length=10, choices=Sex)
    #: ISO 3166-1 alpha-2.
    nationality = Varchar(length=2, null=True, default=None)
    phone = Text(null=True, default=None, secret=True)
    representative_name = Text(null=True, default=None, secret=True)
    representative_role = Varchar(length=30, choices=RepresentativeRole, null=True, default=None)


class ReflectionExtension(Table):
    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, index=True)
    days = Integer()
    #: Sealed; null once erased.
    reason = Text(null=True, default=None, secret=True)
    added_at = Timestamptz()
    added_by = ForeignKey(references=User, null=False)


class BudgetLine(Table):
    """One line of the reintegration plan's budget."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, index=True)
    category = Varchar(length=20, choices=SupportCategory)
    #: In hundredths of the currency unit, so that sums are exact on every engine.
    amount_hundredths = BigInt()
    #: ISO 4217.
    currency = Varchar(length=3)


class ConsentChange(Table):
    """Each consent given or withdrawn, with when and by whom it was recorded."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, index=True)
    #: ``data_sharing`` or ``story_use``.
    consent = Varchar(length=20)
    given = Boolean()
    changed_at = Timestamptz()
    changed_by = ForeignKey(references=User, null=False)


class ReferenceCounter(Table):
    """The last case number given out in a year, for references like DK-2026-0042."""

    year = Integer(primary_key=True)
    last_number = Integer()


TABLES = [Case, Person, ReflectionExtension, BudgetLine, ConsentChange, ReferenceCounter]
