"""The person's rights over their data: a copy of everything stored (access), erasure on
request, and erasure once the retention period after closure has passed."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from models import audit, changes, clock, database, hooks, sealing
from models.cases import audit_trail, rules
from models.cases.reach import Role
from models.cases.records import CaseRecord, complete, reachable_case
from models.cases.tables import Case, ConsentChange, Person, ReflectionExtension, Sex
from models.errors import Conflict, Forbidden
from models.organisations import Caller, OrganisationKind

log = logging.getLogger(__name__)


def _require_authority_opener(caller: Caller, roles: frozenset[Role]) -> None:
    if caller.kind is not OrganisationKind.authority or Role.opener not in roles:
        raise Forbidden("only the authority that opened the case may do this")


def may_erase(record: CaseRecord, caller: Caller) -> bool:
    """Whether ``erase`` would now erase the case's personal data for ``caller``."""
    return (
        caller.kind is OrganisationKind.authority
        and Role.opener in record.roles
        and not record.case["legal_hold"]
        and record.case["personal_data_erased_at"] is None
    )


async def _erase(case_id: uuid.UUID, reason: str) -> None:
    """Remove every sealed value of the case, here and (through the hook) in the layers
    above; the case, its dates and figures stay."""
    for table in (Case, Person, ReflectionExtension):
        await sealing.erase(table, case_id=case_id)
    await Person.update(
        {Person.sex: Sex.unknown, Person.nationality: None, Person.representative_role: None}
    ).where(Person.case == case_id)
    now = clock.now()
    await Case.update(
        {
            Case.personal_data_erased_at: now,
            Case.erasure_reason: sealing.seal(Case, {"erasure_reason": reason}, row_id=case_id)[
                "erasure_reason"
            ],
            Case.updated_at: now,
            Case.change_seq: await changes.next_number(),
        }
    ).where(Case.id == case_id)
    await hooks.personal_data_erased(case_id)


async def erase(*, caller: Caller, case_id: uuid.UUID, reason: str) -> CaseRecord:
    """Erase the person's data at once, on their request (the opening authority)."""
    async with database.transaction():
        row, roles = await reachable_case(caller, case_id, lock=True)
        _require_authority_opener(caller, roles)
        if row["legal_hold"]:
            raise Conflict("the case is under legal hold; lift the hold before erasing")
        if row["personal_data_erased_at"] is None:
            await _erase(case_id, reason)
            await audit.record(caller, "case.erased", [case_id])
        row, _ = await reachable_case(caller, case_id)
        (record,) = await complete([row], caller)
        return record


async def erase_expired(*, today: date | None = None, retention_years: int) -> int:
    """Erase the personal data of every case closed or cancelled more than
    ``retention_years`` ago, unless it is under legal hold. Returns how many."""
    cutoff = rules.add_months(today or clock.today(), -12 * retention_years)
    due = await Case.select(Case.id).where(
        Case.personal_data_erased_at.is_null(),
        Case.legal_hold == False,
        (Case.closed_on <= cutoff) | (Case.cancelled_on <= cutoff),
    )
    erased = 0
    for row in due:
        try:
            async with database.transaction():
                locked = database.for_update(
                    Case.select(Case.personal_data_erased_at).where(Case.id == row["id"]).first()
                )
                if (await locked)["personal_data_erased_at"] is not None:
                    continue  # another process erased it meanwhile
                await _erase(row["id"], "retention period ended")
                await audit.record(None, "case.erased", [row["id"]])
            erased += 1
        except Exception:  # one case that fails must not stop the others
            log.exception("erasing case %s failed", row["id"])
    return erased


async def export(*, caller: Caller, case_id: uuid.UUID) -> dict[str, Any]:
    """Everything stored about the person, for a data-subject access request."""
    async with database.transaction():
        row, roles = await reachable_case(caller, case_id)
        _require_authority_opener(caller, roles)
        (record,) = await complete([row], caller)
        consents = (
            await ConsentChange.select(
                ConsentChange.consent, ConsentChange.given, ConsentChange.changed_at
            )
            .where(ConsentChange.case == case_id)
            .order_by(ConsentChange.changed_at)
        )
        trail = await audit_trail.trail(caller=None, case_id=case_id, limit=None)
        await audit.record(caller, "case.exported", [case_id])
    return {"record": record, "consent_history": consents, "audit_trail": trail}
