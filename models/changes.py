"""The change sequence that delta sync reads.

Every write that a phone must learn of stamps its rows with the next number of one
counter, in the same transaction. Taking the number locks the counter row until the
transaction ends, so numbers become visible in the order they were taken: a client that
has seen number N can never later find a committed change below N that it missed.
(SQLite serialises writers anyway; on PostgreSQL the row lock does.) Row locks of a write
are taken before the number, never after, so that writers cannot deadlock.
"""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, BigInt, Integer
from piccolo.table import Table


class ChangeCounter(Table):
    id = Integer(primary_key=True)
    last = BigInt()


class ReachLoss(Table):
    """A case left an organisation's reach (a partner reassigned): its phones must drop it."""

    id = UUID(primary_key=True)
    change_seq = BigInt(index=True)
    case = UUID()
    organisation = UUID(index=True)


async def next_number() -> int:
    """The next change number; call it inside the write transaction, after its row locks."""
    table = ChangeCounter._meta.tablename
    rows = await ChangeCounter.raw(
        f"INSERT INTO {table} (id, last) VALUES (1, 1) "  # noqa: S608 - our own table name
        f"ON CONFLICT (id) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    return rows[0]["last"]


async def record_reach_loss(case_id: uuid.UUID, organisation_id: uuid.UUID, number: int) -> None:
    await ReachLoss(
        id=uuid.uuid4(), change_seq=number, case=case_id, organisation=organisation_id
    ).save()
