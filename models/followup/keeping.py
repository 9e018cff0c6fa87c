"""How every report and payment made on a phone is kept: once, with its trail.

A record is inserted once under the id the phone generated (``models.client_ids``); when it
is new, the same steps follow for every kind, inside the write's transaction: its audit
entry, its events, the reaction of the layers above (``hooks.followup_changed``: a closed
case's outcome report is amended), and, last, its change number for sync."""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from models import audit, changes, hooks, outbox, sealing
from models.client_ids import insert_once
from models.organisations import Caller


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
    row, created = await insert_once(
        table, sealed, same_as={"case": case["id"], "fingerprint": values["fingerprint"]}
    )
    if created:
        await audit.record(caller, action, [case["id"]])
        for event, data in events:
            await outbox.emit(
                event, case_id=case["id"], case_reference=case["reference"], data=data
            )
        await hooks.followup_changed(case, caller)
        row["change_seq"] = await changes.stamp(table, values["id"])
    return sealing.open_row(table, row), created
