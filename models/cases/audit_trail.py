"""Reading the audit trail: who read or changed which case's personal data.

An entry about several cases (``AuditEntry.case_ids``) is read as one item per case, in
the order it names them, so a reader sees the same trail as if each case had its own
entry. Items are ordered by (time, entry, position in the entry)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from models.audit import AuditEntry, cases_matching, matching_argument, split_case_ids
from models.cases.tables import Case
from models.organisations import Caller, OrganisationKind

#: Entries read from the database at a time while a page of items is gathered.
BATCH = 200
_COLUMNS = "id, at, actor_id, organisation_id, action, case_id, request_id, subject_id, case_ids"
_OPENED = f"SELECT id FROM {Case._meta.tablename} WHERE opened_by_org = {{}}"  # noqa: S608


def _items(entry: dict[str, Any], case_id: uuid.UUID | None) -> Iterable[dict[str, Any]]:
    """The entry as one item per case it names (only ``case_id``'s when given)."""
    joined = entry.pop("case_ids")
    if joined is None:
        yield {**entry, "position": 0}
        return
    for position, named in enumerate(split_case_ids(joined)):
        if case_id is None or named == case_id:
            yield {**entry, "case_id": named, "position": position}


async def _opened_among(caller: Caller, case_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    named = list(case_ids)
    for start in range(0, len(named), 500):
        chunk = named[start : start + 500]
        marks = ", ".join("{}" for _ in chunk)
        rows = await Case.raw(f"{_OPENED} AND id IN ({marks})", caller.organisation_id, *chunk)
        found |= {row["id"] for row in rows}
    return found


async def trail(
    *,
    caller: Caller | None,
    case_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, uuid.UUID, int] | None = None,
    limit: int | None,
    newest_first: bool = False,
    actions: Iterable[str] | None = None,
) -> list[dict]:
    """Items the caller may read, oldest first (or newest first): an authority sees every
    item about the cases it opened; every organisation sees its own actions. ``caller``
    None: every item (a data-subject export, already authorised). ``after`` is the last
    item's (at, entry id, position) in the order asked for; ``limit`` None: every item;
    ``actions``: only these."""
    conditions: list[str] = []
    arguments: list[Any] = []
    authority = caller is not None and caller.kind is OrganisationKind.authority
    if caller is not None and authority:
        # Entries about several cases are sifted below, case by case.
        conditions.append(
            f"(organisation_id = {{}} OR case_id IN ({_OPENED}) OR case_ids IS NOT NULL)"
        )
        arguments += [caller.organisation_id, caller.organisation_id]
    elif caller is not None:
        conditions.append("organisation_id = {}")
        arguments.append(caller.organisation_id)
    if case_id is not None:
        conditions.append(f"(case_id = {{}} OR {cases_matching()})")
        arguments += [case_id, matching_argument(case_id)]
    if actor_id is not None:
        conditions.append("actor_id = {}")
        arguments.append(actor_id)
    if actions is not None:
        chosen = list(actions)
        conditions.append(f"action IN ({', '.join('{}' for _ in chosen)})")
        arguments += chosen
    if since is not None:
        conditions.append("at >= {}")
        arguments.append(since)
    if until is not None:
        conditions.append("at < {}")
        arguments.append(until)

    items: list[dict] = []
    position = after
    while limit is None or len(items) < limit:
        where = list(conditions)
        page_arguments = list(arguments)
        if position is not None:
            where.append(
                "(at < {} OR (at = {} AND id <= {}))"
                if newest_first
                else "(at > {} OR (at = {} AND id >= {}))"
            )
            page_arguments += [position[0], position[0], position[1]]
        sql = f"SELECT {_COLUMNS} FROM {AuditEntry._meta.tablename}"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY at {order}, id {order} LIMIT {BATCH}"
        entries = await AuditEntry.raw(sql, *page_arguments)
        found = [
            item
            for entry in entries
            for item in (
                reversed(list(_items(entry, case_id))) if newest_first else _items(entry, case_id)
            )
        ]
        if position is not None:
            at, entry_id, last = position
            found = [
                i
                for i in found
                if not (
                    i["at"] == at
                    and i["id"] == entry_id
                    and (i["position"] >= last if newest_first else i["position"] <= last)
                )
            ]
        if authority and caller is not None:
            foreign = {
                i["case_id"] for i in found if i["organisation_id"] != caller.organisation_id
            }
            opened = await _opened_among(caller, foreign) if foreign else set()
            found = [
                i
                for i in found
                if i["organisation_id"] == caller.organisation_id or i["case_id"] in opened
            ]
        items += found
        if len(entries) < BATCH:
            break
        last_entry = entries[-1]
        # Every item of the last entry is gathered: the next batch starts past it.
        position = (last_entry["at"], last_entry["id"], -1 if newest_first else 2**31)
    return items if limit is None else items[:limit]
