"""The change sequence that delta sync reads.

Every write that a phone must learn of stamps its rows with the next number of one
counter, in the same transaction. Taking the number locks the counter row until the
transaction ends, so numbers become visible in the order they were taken: a client that
has seen number N can never later find a committed change below N that it missed.
(SQLite serialises writers anyway; on PostgreSQL the row lock does.) Row locks of a write
are taken before the number, never after, so that writers cannot deadlock.

The counter is one row that every write waits for, from the moment it takes its number
to its commit: the hot writes (reports and payments) insert their row unnumbered and
``stamp`` it as the last statement of their transaction, so that the wait is one
statement and the commit.
"""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, BigInt, Integer
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from models import database


class ChangeCounter(Table):
    id = Integer(primary_key=True)
    last = BigInt()


class ReachLoss(Table):
    """A case left an organisation's reach (a partner reassigned): its phones must drop it."""

    id = UUID(primary_key=True)
    change_seq = BigInt(index=True)
    case = UUID()
    organisation = UUID(index=True)


#: Takes the next number; the counter row stays locked until the transaction ends.
_TAKE_NUMBER = (
    f"INSERT INTO {ChangeCounter._meta.tablename} (id, last) VALUES (1, 1) "  # noqa: S608 - our own table name
    f"ON CONFLICT (id) DO UPDATE SET last = {ChangeCounter._meta.tablename}.last + 1 "
    "RETURNING last"
)


async def next_number() -> int:
    """The next change number; call it inside the write transaction, after its row locks."""
    rows = await ChangeCounter.raw(_TAKE_NUMBER)
    return rows[0]["last"]


#: A row inserted in a transaction that stamps it before committing.
UNSTAMPED = 0


async def stamp(table: type[Table], row_id: uuid.UUID) -> int:
    """Give a row just written the next change number; the last statement of its
    transaction (on PostgreSQL one statement takes the number and stamps the row)."""
    name = table._meta.tablename
    if isinstance(database.current(), PostgresEngine):
        rows = await table.raw(
            f"WITH taken AS ({_TAKE_NUMBER}) UPDATE {name} SET change_seq = taken.last "  # noqa: S608
            "FROM taken WHERE id = {} RETURNING change_seq",
            row_id,
        )
        return rows[0]["change_seq"]
    number = await next_number()
    await table.raw(f"UPDATE {name} SET change_seq = {{}} WHERE id = {{}}", number, row_id)  # noqa: S608
    return number


async def record_reach_loss(case_id: uuid.UUID, organisation_id: uuid.UUID, number: int) -> None:
    await ReachLoss(
        id=uuid.uuid4(), change_seq=number, case=case_id, organisation=organisation_id
    ).save()
