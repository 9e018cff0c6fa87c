"""How every report and payment made on a phone is kept: once, with its trail.

A record is inserted once under the id the phone generated (``models.client_ids``); when it
is new, the same steps follow for every kind, inside the write's transaction: its audit
entry, its events, the reaction of the layers above (``hooks.followup_changed``: a closed
case's outcome report is amended), and, last, its change number for sync.

On PostgreSQL the record, its audit entry and its events are written by one statement (a
data-modifying CTE: the entry and events only when the record is new), one round trip
instead of three or four; the rows are the same objects the other engine writes one by one
(``audit.new_entry``, ``outbox.new_event``)."""

from __future__ import annotations

import enum
from typing import Any

from piccolo.table import Table

from models import audit, changes, database, hooks, outbox, sealing
from models.client_ids import insert_once, stored_again
from models.organisations import Caller


def _row(table: type[Table], instance: Table, marks: list[Any]) -> str:
    """``instance``'s values as typed placeholders (appended to ``marks``), column order."""
    parts = []
    for column in table._meta.columns:
        value = getattr(instance, column._meta.name)
        marks.append(value.value if isinstance(value, enum.Enum) else value)
        parts.append(f"{{}}::{column.column_type}")
    return ", ".join(parts)


def _columns(table: type[Table]) -> str:
    return ", ".join(f'"{column._meta.db_column_name}"' for column in table._meta.columns)


async def _insert_with_trail(
    table: type[Table], record: Table, entry: Table, events: list[Table]
) -> bool:
    """Insert ``record`` unless its id (or another unique key) is taken and, when it was
    inserted, ``entry`` and ``events``: one statement. True when inserted."""
    marks: list[Any] = []
    kept, trail, outbox_table = (
        table._meta.tablename,
        audit.AuditEntry._meta.tablename,
        outbox.Event._meta.tablename,
    )
    # Our own tables and columns; every value is a parameter.
    sql = f"WITH inserted AS (INSERT INTO {kept} ({_columns(table)}) "
    sql += f"VALUES ({_row(table, record, marks)}) ON CONFLICT DO NOTHING RETURNING id), "
    sql += f"audited AS (INSERT INTO {trail} ({_columns(audit.AuditEntry)}) "
    sql += f"SELECT {_row(audit.AuditEntry, entry, marks)} FROM inserted)"  # noqa: S608
    if events:
        rows = ", ".join(f"({_row(outbox.Event, event, marks)})" for event in events)
        sql += f", emitted AS (INSERT INTO {outbox_table} ({_columns(outbox.Event)}) "
        sql += f"SELECT raised.* FROM inserted, (VALUES {rows}) AS raised)"  # noqa: S608
    sql += " SELECT id FROM inserted"
    return bool(await table.raw(sql, *marks))


async def keep_once(
    table: type[Table],
    values: dict[str, Any],
    *,
    case: dict[str, Any],
    caller: Caller,
    action: str,
    events: list[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, Any], bool]:
    """Keep ``values`` (unsealed, with the phone's ``id`` and the request's ``fingerprint``)
    as a row of ``table`` of ``case``, whose row the caller's transaction has locked.
    Returns the stored row, opened, and whether it was created now."""
    sealed = sealing.seal(
        table, {**values, "change_seq": changes.UNSTAMPED}, row_id=values["id"], case_id=case["id"]
    )
    same_as = {"case": case["id"], "fingerprint": values["fingerprint"]}
    if database.uses_postgres():
        raised = [
            outbox.new_event(event, case_id=case["id"], case_reference=case["reference"], data=data)
            for event, data in events
        ]
        entry = audit.new_entry(caller, action, case["id"])
        created = await _insert_with_trail(table, table(**sealed), entry, raised)
        row = sealed if created else await stored_again(table, sealed, same_as=same_as)
    else:
        row, created = await insert_once(table, sealed, same_as=same_as)
        if created:
            await audit.record(caller, action, [case["id"]])
            for event, data in events:
                await outbox.emit(
                    event, case_id=case["id"], case_reference=case["reference"], data=data
                )
    if created:
        await hooks.followup_changed(case, caller)
        row["change_seq"] = await changes.stamp(table, values["id"])
    return sealing.open_row(table, row), created
