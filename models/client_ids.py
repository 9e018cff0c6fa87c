"""Records made on a phone carry an id the phone generated, so a request sent twice on a
bad network makes one record. The rule (as ODK Central's instanceID): the same id with
the same content answers with the stored record; the same id with other content is a
conflict. A unique key decides, not a check before the insert, so that simultaneous
retries cannot both create."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from piccolo.table import Table

from models.errors import Conflict


def fingerprint(command: msgspec.Struct) -> str:
    """A hash of the request's content, as decoded (so formatting does not matter)."""
    return hashlib.sha256(msgspec.json.encode(command)).hexdigest()


async def insert_once(
    table: type[Table], values: dict[str, Any], *, same_as: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Insert ``values`` unless a row with its id exists: ``(values, True)`` when inserted,
    ``(stored row, False)`` when it is the same record sent again; Conflict otherwise.
    ``same_as`` names the stored fields that must match (e.g. the case and fingerprint)."""
    inserted = (
        await table.insert(table(**values))
        .on_conflict(action="DO NOTHING")
        .returning(table._meta.primary_key)
    )
    if inserted:
        return values, True
    return await stored_again(table, values, same_as=same_as), False


async def stored_again(
    table: type[Table], values: dict[str, Any], *, same_as: dict[str, Any]
) -> dict[str, Any]:
    """The row stored under ``values``' id, which an insert found there: the same record
    sent again, or Conflict."""
    stored = await table.select().where(table._meta.primary_key == values["id"]).first()
    if stored is None or any(stored[name] != value for name, value in same_as.items()):
        raise Conflict(
            f"a different record with id {values['id']} is already stored; send a new id for a new record",
            stored_id=str(values["id"]),
        )
    return stored
