"""Personal data sealed at rest, column by column.

A sealed column is declared ``secret=True`` on its table (``Text(secret=True)``): the
schema itself is the one list of sealed columns, and writing, reading, erasing and key
rotation all work from it. Each value is sealed by the vault (AES-256-GCM) and bound to its
table, column, case and row, so that a value copied into another row, column or case no
longer opens. A table's case is its ``case`` column; a table without one (the case itself,
a webhook, a user) binds to the row alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from piccolo.table import Table

from models import database, vault


def sealed_columns(table: type[Table]) -> tuple[str, ...]:
    return tuple(column._meta.name for column in table._meta.secret_columns)


def _has_case(table: type[Table]) -> bool:
    return any(column._meta.name == "case" for column in table._meta.columns)


def context(
    table: type[Table], column: str, *, row_id: uuid.UUID, case_id: uuid.UUID | None
) -> str:
    where = f"{case_id}:{row_id}" if case_id is not None else str(row_id)
    return f"{table._meta.tablename}.{column}:{where}"


def _legacy_context(
    table: type[Table], column: str, *, row_id: uuid.UUID, case_id: uuid.UUID | None
) -> str:
    """The first scheme bound a value to its case only (a row without a case: its id)."""
    return f"{table._meta.tablename}.{column}:{case_id if case_id is not None else row_id}"


def seal(
    table: type[Table],
    values: Mapping[str, Any],
    *,
    row_id: uuid.UUID,
    case_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """``values`` with every sealed column among them sealed for that row (dates as ISO
    text); the other columns pass through."""
    box = vault.current()
    sealed = dict(values)
    for column in sealed_columns(table):
        if column in sealed:
            value = sealed[column]
            text = value.isoformat() if isinstance(value, date) else value
            where = context(table, column, row_id=row_id, case_id=case_id)
            sealed[column] = box.seal(text, context=where)
    return sealed


def open_value(
    table: type[Table],
    column: str,
    token: str | None,
    *,
    row_id: uuid.UUID,
    case_id: uuid.UUID | None = None,
) -> str | None:
    if token is None:
        return None
    bind = _legacy_context if vault.scheme_of(token) == vault.LEGACY_SCHEME else context
    return vault.current().open(token, context=bind(table, column, row_id=row_id, case_id=case_id))


def open_row(table: type[Table], row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` (which has its ``id``, and its ``case`` if the table has one) with
    its sealed columns opened."""
    case_id = row["case"] if _has_case(table) else None
    opened = dict(row)
    for column in sealed_columns(table):
        if column in row:
            opened[column] = open_value(
                table, column, row[column], row_id=row["id"], case_id=case_id
            )
    return opened


async def erase(table: type[Table], *, case_id: uuid.UUID) -> None:
    """Empty every sealed column of the case's rows of ``table``."""
    columns = sealed_columns(table)
    key = table.id if not _has_case(table) else table._meta.get_column_by_name("case")
    await table.update({table._meta.get_column_by_name(c): None for c in columns}).where(
        key == case_id
    )


async def reseal(table: type[Table], batch_size: int = 500) -> int:
    """Seal again every value of ``table`` that is not sealed with the current key and
    scheme (after a key rotation, or from the first databases). Returns how many rows."""
    columns = sealed_columns(table)
    if not columns:
        return 0
    box = vault.current()
    selected = [table._meta.primary_key, *(table._meta.get_column_by_name(c) for c in columns)]
    if _has_case(table):
        selected.append(table._meta.get_column_by_name("case"))
    resealed, after = 0, None
    while True:
        query = table.select(*selected).order_by(table._meta.primary_key).limit(batch_size)
        if after is not None:
            query = query.where(table._meta.primary_key > after)
        rows = await query
        if not rows:
            return resealed
        after = rows[-1]["id"]
        async with database.transaction():
            for row in rows:
                stale = [c for c in columns if not box.is_current(row[c])]
                if not stale:
                    continue
                opened = open_row(table, {c: row[c] for c in (*stale, "id", "case") if c in row})
                fresh = seal(
                    table,
                    {c: opened[c] for c in stale},
                    row_id=row["id"],
                    case_id=row.get("case"),
                )
                await table.update(
                    {table._meta.get_column_by_name(c): fresh[c] for c in stale}
                ).where(table._meta.primary_key == row["id"])
                resealed += 1
