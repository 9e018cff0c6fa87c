"""Drafting stories cannot be used to find out who the person is.

A centre reaches completed cases it did not open without seeing their person, and the
story check compares a draft with the person's data: were its refusals to say what they
found, a few dozen drafts of dates would tell the date of birth, and a list of names the
name. So a refusal says only that the title or text contains personal data of the person,
the same answer whatever was found, and each one counts against the case. After
``REFUSALS_BEFORE_LOCK`` of them drafting from the case locks, for every centre; the case's
opener is told (event ``story.drafting_locked`` and the audit trail) and it alone can
unlock it. The opener's own refusals do not count: it sees the person anyway.

A refusal is counted in the transaction that checked the text, with the case row locked,
and that transaction is committed before the refusal is answered: the count survives the
refusal, and two refusals at once count one after the other, never both past the limit.
"""

from __future__ import annotations

import uuid

from models import audit, clock, database, outbox
from models.cases.reach import Role, require, roles_of
from models.cases.records import reachable_case
from models.database import Row
from models.errors import FieldError, RuleViolation
from models.organisations import Caller
from models.stories.tables import StoryDrafting

#: Refused texts of one case (drafts, edits, publications) before drafting from it locks.
REFUSALS_BEFORE_LOCK = 3
#: The one answer to a text that points at its person, whatever was found.
IDENTIFYING = (
    "the title or the text contains personal data of the person: tell the story without "
    "names, phone numbers, dates of birth or the case's reference"
)
LOCKED = (
    "drafting from this case is locked after repeated refusals of texts that contained "
    "personal data of the person; the organisation that opened the case can unlock it"
)
#: The codes of these two refusals (``FieldError.code``).
IDENTIFYING_CODE, LOCKED_CODE = "identifying", "locked"


async def _state(case_id: uuid.UUID) -> Row | None:
    return await StoryDrafting.select().where(StoryDrafting.case == case_id).first()


async def require_unlocked(case_id: uuid.UUID) -> None:
    """Refuse (on ``case_id``) to draft or edit from a locked case. Call it in the
    transaction that locked the case row."""
    state = await _state(case_id)
    if state is not None and state["locked_at"] is not None:
        raise RuleViolation.on("case_id", LOCKED, LOCKED_CODE)


async def refuse(caller: Caller, case: Row) -> RuleViolation:
    """Count a refused text of ``case`` (a ``Case`` row, locked), lock drafting when it is
    one too many, and give the refusal to raise once the transaction is committed."""
    await audit.record(caller, "story.refused", [case["id"]])
    if Role.opener not in roles_of(caller, case):
        await _count(caller, case)
    return RuleViolation.many(
        [FieldError(field, IDENTIFYING, IDENTIFYING_CODE) for field in ("title", "text")]
    )


async def _count(caller: Caller, case: Row) -> None:
    fresh = StoryDrafting(id=uuid.uuid4(), case=case["id"], refusals=0)
    await StoryDrafting.insert(fresh).on_conflict(action="DO NOTHING")
    (counted,) = (
        await StoryDrafting.update({StoryDrafting.refusals: StoryDrafting.refusals + 1})
        .where(StoryDrafting.case == case["id"])
        .returning(StoryDrafting.refusals)
    )
    if counted["refusals"] != REFUSALS_BEFORE_LOCK:
        return
    await StoryDrafting.update({StoryDrafting.locked_at: clock.now()}).where(
        StoryDrafting.case == case["id"]
    )
    await audit.record(caller, "story.drafting_locked", [case["id"]])
    await outbox.emit(
        "story.drafting_locked",
        case_id=case["id"],
        case_reference=case["reference"],
        data={"refusals": counted["refusals"]},
    )


async def drafting_of(*, caller: Caller, case_id: uuid.UUID) -> Row:
    """How drafting from the case stands, ``{case_id, locked, refusals}`` (its opener)."""
    _, roles = await reachable_case(caller, case_id)
    require("read_story_drafting", roles)
    return await _standing(case_id)


async def unlock(*, caller: Caller, case_id: uuid.UUID) -> Row:
    """Let centres draft from the case again, its refusals counted afresh (its opener).
    Unlocking a case that is not locked changes nothing."""
    async with database.transaction():
        _, roles = await reachable_case(caller, case_id, lock=True)
        require("unlock_story_drafting", roles)
        state = await _state(case_id)
        if state is not None and (state["locked_at"] is not None or state["refusals"]):
            await StoryDrafting.update(
                {StoryDrafting.refusals: 0, StoryDrafting.locked_at: None}
            ).where(StoryDrafting.case == case_id)
            await audit.record(caller, "story.drafting_unlocked", [case_id])
    return await _standing(case_id)


async def _standing(case_id: uuid.UUID) -> Row:
    state = await _state(case_id)
    return {
        "case_id": case_id,
        "locked": state is not None and state["locked_at"] is not None,
        "refusals": state["refusals"] if state else 0,
    }
