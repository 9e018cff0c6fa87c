"""What a caller asks of a case: the request bodies of the contract, as msgspec structs.

Shapes and bounds are checked when a body is decoded; rules that need the stored case or
other records are checked by the functions in ``lifecycle``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from models.cases.tables import (
    Exploitation,
    Outcome,
    RepresentativeRole,
    ResidenceStatus,
    Sex,
    SupportCategory,
)

Name = Annotated[str, Meta(min_length=1, max_length=200)]
CountryCode = Annotated[str, Meta(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
CurrencyCode = Annotated[str, Meta(pattern="^[A-Z]{3}$", description="ISO 4217")]
Phone = Annotated[str, Meta(pattern=r"^\+?[0-9 ()./-]{4,30}$", description="digits, optionally +")]
Note = Annotated[str, Meta(min_length=1, max_length=4000)]
Money = Annotated[
    str,
    Meta(
        pattern=r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$",
        description='a positive decimal string with at most 2 decimals, e.g. "25000.00"',
    ),
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: unknown fields are refused, not ignored."""


class PersonIn(Strict):
    given_name: Name
    family_name: Name
    date_of_birth: date
    sex: Sex = Sex.unknown
    nationality: CountryCode | None = None
    phone: Phone | None = None


class RepresentativeIn(Strict):
    name: Name
    role: RepresentativeRole


class ConsentIn(Strict):
    data_sharing: bool = False
    story_use: bool = False


class CaseCreate(Strict):
    person: PersonIn
    origin_country: CountryCode
    residence_status: ResidenceStatus
    exploitation: Annotated[list[Exploitation], Meta(min_length=1, max_length=4)]
    identified_on: date
    reflection_period_start: date
    return_org_id: uuid.UUID
    partner_org_id: uuid.UUID | None = None
    dublin_case: bool = False
    representative: RepresentativeIn | None = None
    consent: ConsentIn = msgspec.field(default_factory=ConsentIn)


class ReflectionExtensionCreate(Strict):
    days: Annotated[int, Meta(ge=1, le=90)]
    reason: Note


class BudgetLineIn(Strict):
    category: SupportCategory
    amount: Money
    currency: CurrencyCode


class PlanAgreement(Strict):
    agreed_on: date
    goals: Note
    budget: Annotated[list[BudgetLineIn], Meta(max_length=50)] = msgspec.field(default_factory=list)


class Departure(Strict):
    departed_on: date


class Arrival(Strict):
    arrived_on: date


class Closure(Strict):
    outcome: Outcome
    closed_on: date
    note: Note | None = None


class Cancellation(Strict):
    reason: Note


class ConsentUpdate(Strict):
    data_sharing: bool | UnsetType = UNSET
    story_use: bool | UnsetType = UNSET


class CaseEdit(Strict):
    """A partial edit: absent fields are left as they are; ``null`` clears a field."""

    phone: Phone | UnsetType | None = UNSET
    representative: RepresentativeIn | UnsetType | None = UNSET
    consent: ConsentUpdate | UnsetType = UNSET
    partner_org_id: uuid.UUID | UnsetType | None = UNSET
    #: Keeps the personal data beyond the retention period (the opening authority only).
    legal_hold: bool | UnsetType = UNSET


class Erasure(Strict):
    reason: Note
