"""Request bodies of follow-up from the field."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from msgspec import Meta

from models.cases.commands import CurrencyCode, Money, Note, Strict
from models.cases.rules import MONTHS_OF_SUPPORT
from models.cases.tables import SupportCategory
from models.followup.tables import Contact, Housing, Livelihood, Method, Recipient, Risk

Month = Annotated[
    int,
    Meta(
        ge=MONTHS_OF_SUPPORT.start,
        le=MONTHS_OF_SUPPORT.stop - 1,
        description="month of the support window, 1 to 6",
    ),
]
ShortText = Annotated[str, Meta(max_length=2000)]


class ReportCreate(Strict):
    id: uuid.UUID
    month: Month
    visited_on: date
    contact: Contact
    housing: Housing = Housing.unknown
    livelihood: Livelihood = Livelihood.unknown
    children_in_school: bool | None = None
    wellbeing: Annotated[int, Meta(ge=1, le=5)] | None = None
    safety_concern: bool | None = None
    retrafficking_risk: Risk | None = None
    needs: ShortText | None = None
    narrative: Annotated[str, Meta(max_length=4000)] | None = None


class PaymentCreate(Strict):
    id: uuid.UUID
    month: Month
    category: SupportCategory
    amount: Money
    currency: CurrencyCode
    paid_on: date
    method: Method
    recipient: Recipient = Recipient.returnee
    receipt_id: uuid.UUID | None = None
    note: ShortText | None = None
    relative_justification: Note | None = None


class PaymentRejection(Strict):
    reason: Note
