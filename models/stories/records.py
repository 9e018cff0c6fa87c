"""Reading stories: published ones by every organisation, drafts and retired ones only by
the centre that drafted them.

A story that is not published is tied to its case (the centre sees which one), so each
such read is recorded in the audit trail; a published story carries coarse facts only and
is read without a trace, like any public text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from models import audit, sealing
from models.database import Row, for_update
from models.errors import NotFound
from models.organisations import Caller
from models.stories.tables import Story, StoryStatus


def is_drafter(caller: Caller, story: Row) -> bool:
    return story["organisation"] == caller.organisation_id


def is_visible(caller: Caller, story: Row) -> bool:
    return story["status"] == StoryStatus.published or is_drafter(caller, story)


async def story_row(story_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    query = Story.select().where(Story.id == story_id).first()
    row = await (for_update(query) if lock else query)
    return sealing.open_row(Story, row) if row else None


async def visible_story(caller: Caller, story_id: uuid.UUID, *, lock: bool = False) -> Row:
    """The story; "not found" when it is someone else's draft or retired story."""
    row = await story_row(story_id, lock=lock)
    if row is None or not is_visible(caller, row):
        raise NotFound("no such story")
    return row


async def audit_reads(caller: Caller, rows: list[Row]) -> None:
    await audit.record(
        caller, "story.read", [r["case"] for r in rows if r["status"] != StoryStatus.published]
    )


async def get_story(*, caller: Caller, story_id: uuid.UUID) -> Row:
    row = await visible_story(caller, story_id)
    await audit_reads(caller, [row])
    return row


@dataclass(frozen=True)
class StoryFilter:
    #: Drafts and retired stories are listed for the centre that drafted them only.
    status: StoryStatus = StoryStatus.published
    #: The filters below match the coarse facts, which a story gets when it is published.
    origin_country: str | None = None
    exploitation: str | None = None
    language: str | None = None


#: Lists run newest first, by the moment that put each story in the status listed.
SORTED_BY: dict[StoryStatus, Column] = {
    StoryStatus.published: Story.published_at,
    StoryStatus.draft: Story.created_at,
    StoryStatus.retired: Story.retired_at,
}


def sort_key(row: Row, status: StoryStatus) -> tuple[datetime, uuid.UUID]:
    return row[SORTED_BY[status]._meta.name], row["id"]


def _has_form(form: str) -> Any:
    """The stored list (sorted, comma-separated) holds ``form``."""
    column = Story.exploitation
    return (
        (column == form)
        | column.like(f"{form},%")
        | column.like(f"%,{form}")
        | column.like(f"%,{form},%")
    )


async def list_stories(
    *,
    caller: Caller,
    filters: StoryFilter,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Row]:
    """A page of stories, newest first; ``after`` is the last (sort key, id) seen."""
    query = Story.select().where(Story.status == filters.status)
    if filters.status is not StoryStatus.published:
        query = query.where(Story.organisation == caller.organisation_id)
    if filters.origin_country is not None:
        query = query.where(Story.origin_country == filters.origin_country)
    if filters.exploitation is not None:
        query = query.where(_has_form(filters.exploitation))
    if filters.language is not None:
        query = query.where(Story.language == filters.language)
    key = SORTED_BY[filters.status]
    if after is not None:
        at, story_id = after
        query = query.where((key < at) | ((key == at) & (Story.id < story_id)))
    rows = await query.order_by(key, Story.id, ascending=False).limit(limit)
    await audit_reads(caller, rows)
    return [sealing.open_row(Story, row) for row in rows]
