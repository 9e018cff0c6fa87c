"""Frozen versions of outcome reports, kept sealed: the closure note is personal data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from models import clock, vault
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


def context(case_id: uuid.UUID) -> str:
    return f"{FrozenOutcomeReport._meta.tablename}.body:{case_id}"


def seal(case_id: uuid.UUID, report: Any) -> str:
    sealed = vault.current().seal(msgspec.json.encode(report).decode(), context=context(case_id))
    assert sealed is not None
    return sealed


def unseal(case_id: uuid.UUID, body: str, *, as_type: type[T]) -> T:
    return msgspec.json.decode(vault.current().open(body, context=context(case_id)), type=as_type)


async def versions_of(case_id: uuid.UUID) -> list[Version]:
    rows = (
        await FrozenOutcomeReport.select(
            FrozenOutcomeReport.version, FrozenOutcomeReport.reason, FrozenOutcomeReport.created_at
        )
        .where(FrozenOutcomeReport.case == case_id)
        .order_by(FrozenOutcomeReport.version)
    )
    return [Version(**row) for row in rows]


async def latest_of(case_id: uuid.UUID) -> dict[str, Any] | None:
    return (
        await FrozenOutcomeReport.select(FrozenOutcomeReport.version, FrozenOutcomeReport.body)
        .where(FrozenOutcomeReport.case == case_id)
        .order_by(FrozenOutcomeReport.version, ascending=False)
        .first()
    )


async def body_of(case_id: uuid.UUID, version: int, *, as_type: type[T]) -> T:
    row = (
        await FrozenOutcomeReport.select(FrozenOutcomeReport.body)
        .where(FrozenOutcomeReport.case == case_id, FrozenOutcomeReport.version == version)
        .first()
    )
    if row is None:
        raise NotFound("no such version of the outcome report")
    return unseal(case_id, row["body"], as_type=as_type)


async def store(
    case_id: uuid.UUID, report: Any, *, version: int, reason: str, caller: Caller | None
) -> None:
    """Keep ``report`` as ``version``. The caller holds the case's lock, so versions are
    numbered one after the other; the unique (case, version) index guards it anyway."""
    await FrozenOutcomeReport.insert(
        FrozenOutcomeReport(
            id=uuid.uuid4(),
            case=case_id,
            version=version,
            reason=reason,
            body=seal(case_id, report),
            created_at=clock.now(),
            created_by=caller.user_id if caller else None,
        )
    )
