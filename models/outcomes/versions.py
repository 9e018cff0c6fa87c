"""Frozen versions of outcome reports, kept sealed: the closure note is personal data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from models import clock, sealing
from models.errors import NotFound
from models.organisations import Caller
from models.outcomes.tables import FrozenOutcomeReport

T = TypeVar("T")

CLOSURE = "closure"
AMENDMENT = "amendment"


@dataclass(frozen=True)
class Version:
    version: int
    reason: str
    created_at: datetime


def seal(row_id: uuid.UUID, case_id: uuid.UUID, report: Any) -> str:
    """The body of a frozen report: the report as JSON, sealed for its row."""
    body = msgspec.json.encode(report).decode()
    return sealing.seal(FrozenOutcomeReport, {"body": body}, row_id=row_id, case_id=case_id)["body"]


def unseal(row: dict[str, Any], *, as_type: type[T]) -> T:
    """The report of a row of ``FrozenOutcomeReport`` (with its id, case and body)."""
    return msgspec.json.decode(sealing.open_row(FrozenOutcomeReport, row)["body"], type=as_type)


async def versions_of(case_id: uuid.UUID) -> list[Version]:
    rows = (
        await FrozenOutcomeReport.select(
            FrozenOutcomeReport.version, FrozenOutcomeReport.reason, FrozenOutcomeReport.created_at
        )
        .where(FrozenOutcomeReport.case == case_id)
        .order_by(FrozenOutcomeReport.version)
    )
    return [Version(**row) for row in rows]


#: What opening a frozen report takes: the row it is bound to, and its body.
_SEALED_ROW = (FrozenOutcomeReport.id, FrozenOutcomeReport.case, FrozenOutcomeReport.body)


async def latest_of(case_id: uuid.UUID) -> dict[str, Any] | None:
    return (
        await FrozenOutcomeReport.select(*_SEALED_ROW, FrozenOutcomeReport.version)
        .where(FrozenOutcomeReport.case == case_id)
        .order_by(FrozenOutcomeReport.version, ascending=False)
        .first()
    )


async def body_of(case_id: uuid.UUID, version: int, *, as_type: type[T]) -> T:
    row = (
        await FrozenOutcomeReport.select(*_SEALED_ROW)
        .where(FrozenOutcomeReport.case == case_id, FrozenOutcomeReport.version == version)
        .first()
    )
    if row is None:
        raise NotFound("no such version of the outcome report")
    return unseal(row, as_type=as_type)


async def store(
    case_id: uuid.UUID, report: Any, *, version: int, reason: str, caller: Caller | None
) -> None:
    """Keep ``report`` as ``version``. The caller holds the case's lock, so versions are
    numbered one after the other; the unique (case, version) index guards it anyway."""
    row_id = uuid.uuid4()
    await FrozenOutcomeReport.insert(
        FrozenOutcomeReport(
            id=row_id,
            case=case_id,
            version=version,
            reason=reason,
            body=seal(row_id, case_id, report),
            created_at=clock.now(),
            created_by=caller.user_id if caller else None,
        )
    )
