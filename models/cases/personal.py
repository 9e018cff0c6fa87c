"""Which fields of a case are personal, sealed at rest, and how they are sealed and opened.

Each value is bound to its table, field and case, so it cannot be moved elsewhere."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from piccolo.table import Table

from models import vault
from models.cases.tables import Case, Person, ReflectionExtension
from models.followup.tables import Payment, Report

#: Every sealed column, by table. Key rotation and erasure work from this list.
SEALED: dict[type[Table], tuple[str, ...]] = {
    Person: ("given_name", "family_name", "date_of_birth", "phone", "representative_name"),
    Case: ("plan_goals", "closure_note", "cancellation_reason"),
    ReflectionExtension: ("reason",),
    Report: ("needs", "narrative"),
    Payment: ("note", "relative_justification", "rejection_reason"),
}


def _context(table: type[Table], field: str, case_id: uuid.UUID) -> str:
    return f"{table._meta.tablename}.{field}:{case_id}"


def _case_of(table: type[Table], row: dict[str, Any]) -> uuid.UUID:
    return row["id"] if table is Case else row["case"]


def seal(table: type[Table], case_id: uuid.UUID, **values: Any) -> dict[str, Any]:
    """Seal the personal ones among ``values`` (dates as ISO text); others pass through."""
    box = vault.current()
    sealed = {}
    for field, value in values.items():
        if field in SEALED[table]:
            text = value.isoformat() if isinstance(value, date) else value
            sealed[field] = box.seal(text, context=_context(table, field, case_id))
        else:
            sealed[field] = value
    return sealed


def open_row(table: type[Table], row: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with its sealed fields opened."""
    box = vault.current()
    case_id = _case_of(table, row)
    opened = dict(row)
    for field in SEALED[table]:
        if field in row:
            opened[field] = box.open(row[field], context=_context(table, field, case_id))
    if table is Person and opened.get("date_of_birth"):
        opened["date_of_birth"] = date.fromisoformat(opened["date_of_birth"])
    return opened


async def reseal_all(batch_size: int = 500) -> int:
    """Seal again, with the current key, every value sealed with an older one."""
    from models import database

    box = vault.current()
    resealed = 0
    for table, fields in SEALED.items():
        columns = [table._meta.primary_key, *(table._meta.get_column_by_name(f) for f in fields)]
        if table is not Case:
            columns.append(table._meta.get_column_by_name("case"))
        after = None
        while True:
            query = table.select(*columns).order_by(table._meta.primary_key).limit(batch_size)
            if after is not None:
                query = query.where(table._meta.primary_key > after)
            rows = await query
            if not rows:
                break
            after = rows[-1]["id"]
            async with database.transaction():
                for row in rows:
                    stale = [f for f in fields if not box.is_current(row[f])]
                    if not stale:
                        continue
                    case_id = _case_of(table, row)
                    fresh = {
                        table._meta.get_column_by_name(f): box.seal(
                            box.open(row[f], context=_context(table, f, case_id)),
                            context=_context(table, f, case_id),
                        )
                        for f in stale
                    }
                    await table.update(fresh).where(table._meta.primary_key == row["id"])
                    resealed += 1
    return resealed
