"""HTTP routes of story drafting from a case: whether refused texts locked it, and the
opener's unlocking of it (see ``models/stories/drafting.py``)."""

from __future__ import annotations

import uuid

import msgspec
from litestar import get, post
from litestar.params import FromPath

from api.auth import CurrentCaller
from models.stories import drafting


class StoryDraftingRead(msgspec.Struct):
    case_id: uuid.UUID
    #: True while no centre may draft or edit a story of the case.
    locked: bool
    #: Texts refused for containing personal data of the person since the last unlock.
    refusals: int


@get("/cases/{case_id:uuid}/story-drafting", tags=["stories"])
async def story_drafting(caller: CurrentCaller, case_id: FromPath[uuid.UUID]) -> StoryDraftingRead:
    """How drafting stories from the case stands (the case's opener): after repeated
    refusals of texts that contain personal data of the person it locks for every centre."""
    return StoryDraftingRead(**await drafting.drafting_of(caller=caller, case_id=case_id))


@post("/cases/{case_id:uuid}/story-drafting/unlock", status_code=200, tags=["stories"])
async def unlock_story_drafting(
    caller: CurrentCaller, case_id: FromPath[uuid.UUID]
) -> StoryDraftingRead:
    """Let centres draft stories from the case again, its refusals counted afresh (the
    case's opener). Unlocking a case that is not locked changes nothing."""
    return StoryDraftingRead(**await drafting.unlock(caller=caller, case_id=case_id))


#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = [story_drafting, unlock_story_drafting]
