"""HTTP routes of stories: success stories drawn from completed reintegration courses.

A centre drafts a story from a completed case whose person consented to story use,
edits it while it is a draft, publishes it (``approval``) and withdraws it
(``retirement``). Published stories are read by every kind of organisation, return
organisations included: IOM tells new victims about prepared return as much as the centre
does, and a published story carries coarse facts only. Drafts and retired stories are
seen only by the centre that drafted them, with the id of their case.

A case that is not completed, lacks story consent, or lies outside the centre's reach is
a ``422`` naming ``case_id`` (the case is a field of the request, not the record acted
on; out of reach reads exactly as an id that does not exist). A story in the wrong state
for an edit or a publication is a ``409``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api import pagination
from api.auth import CurrentCaller, requires_kind
from api.case_views import View
from api.cases import CountryFilter
from api.etags import cacheable
from api.pagination import DEFAULT_LIMIT, Limit
from api.settings import settings_of
from models.cases.tables import Exploitation
from models.database import Row
from models.organisations import OrganisationKind
from models.stories import lifecycle, records
from models.stories.commands import StoryCreate, StoryEdit
from models.stories.facts import return_years
from models.stories.records import StoryFilter
from models.stories.tables import StoryStatus

LanguageFilter = Annotated[
    str | None, QueryParameter(pattern="^[a-z]{2}$", description="ISO 639-1")
]

requires_centre = requires_kind(OrganisationKind.centre)
requires_any_kind = requires_kind(*OrganisationKind)


class StoryRead(View, kw_only=True):
    """A published story, the same for every reader: coarse facts, never a name, phone,
    date of birth, exact date, case id or reference. The drafting centre's view of a draft
    or retired story adds ``case_id`` and its own timestamps."""

    id: uuid.UUID
    title: str
    text: str
    language: str
    status: str
    origin_country: str | None = None
    #: The year of return, or a range ("2025–2027") widened until enough cases share it.
    return_years: str | None = None
    exploitation: list[str] | None = None
    support_categories: list[str] | None = None
    outcome: str | None = None
    published_at: datetime | None = None
    case_id: uuid.UUID | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    retired_at: datetime | None = None


class StoryPage(msgspec.Struct):
    items: list[StoryRead]
    next_cursor: str | None


def _listed(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return value.split(",") if value else []


def story_view(story: Row) -> StoryRead:
    facts = {
        "origin_country": story["origin_country"],
        "return_years": return_years(story["return_year_from"], story["return_year_to"]),
        "exploitation": _listed(story["exploitation"]),
        "support_categories": _listed(story["support_categories"]),
        "outcome": story["outcome"],
        "published_at": story["published_at"],
    }
    text = {
        "id": story["id"],
        "title": story["title"],
        "text": story["text"],
        "language": story["language"],
        "status": story["status"],
    }
    if story["status"] == StoryStatus.published:
        return StoryRead(**text, **facts)
    return StoryRead(
        **text,
        **facts,
        case_id=story["case"],
        created_at=story["created_at"],
        updated_at=story["updated_at"],
        retired_at=story["retired_at"],
    )


class StoryController(Controller):
    path = "/stories"
    tags = ("stories",)

    @post(guards=[requires_centre])
    async def create_story(self, caller: CurrentCaller, data: JSONBody[StoryCreate]) -> StoryRead:
        """Draft a story from a completed case with ``consent.story_use``. A title or text
        that contains the person's name, phone, date of birth, the representative's name,
        or the case's reference or id is refused (422) as containing personal data of the
        person: the same answer whatever was found. After three such refusals drafting
        from the case locks for every centre until the case's opener unlocks it
        (``POST /api/v1/cases/{id}/story-drafting/unlock``)."""
        return story_view(await lifecycle.create_story(caller=caller, data=data))

    @get(guards=[requires_any_kind])
    async def list_stories(
        self,
        request: Request[Any, Any, Any],
        caller: CurrentCaller,
        status: FromQuery[StoryStatus] = StoryStatus.published,
        origin_country: CountryFilter = None,
        exploitation: FromQuery[Exploitation | None] = None,
        language: LanguageFilter = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Response[StoryPage]:
        """Published stories, newest first. ``status=draft`` (or ``retired``) lists the
        caller's own drafts (or retired stories): a centre's, nobody else has any."""
        rows = await records.list_stories(
            caller=caller,
            filters=StoryFilter(
                status=status,
                origin_country=origin_country,
                exploitation=exploitation,
                language=language,
            ),
            after=pagination.decode(cursor, tuple[datetime, uuid.UUID]),
            limit=limit + 1,
        )
        page, more = rows[:limit], len(rows) > limit
        next_cursor = (
            pagination.encode(records.sort_key(page[-1], status)) if more and page else None
        )
        return cacheable(
            request, StoryPage(items=[story_view(r) for r in page], next_cursor=next_cursor)
        )

    @get("/{story_id:uuid}", guards=[requires_any_kind])
    async def get_story(
        self, request: Request[Any, Any, Any], caller: CurrentCaller, story_id: FromPath[uuid.UUID]
    ) -> Response[StoryRead]:
        """A published story, or the caller's own draft or retired story, with its ETag."""
        return cacheable(
            request, story_view(await records.get_story(caller=caller, story_id=story_id))
        )

    @patch("/{story_id:uuid}", guards=[requires_centre])
    async def edit_story(
        self, caller: CurrentCaller, story_id: FromPath[uuid.UUID], data: JSONBody[StoryEdit]
    ) -> StoryRead:
        """Edit the title, text or language of a draft (the drafting centre); checked again,
        and refused as a new draft would be."""
        return story_view(await lifecycle.edit_story(caller=caller, story_id=story_id, data=data))

    @post("/{story_id:uuid}/approval", status_code=200, guards=[requires_centre])
    async def approve_story(
        self, request: Request[Any, Any, Any], caller: CurrentCaller, story_id: FromPath[uuid.UUID]
    ) -> StoryRead:
        """Publish a draft (the drafting centre) with the coarse facts of its case. Refused
        (422) when fewer completed cases than the minimum cohort share those facts, even
        with the year of return widened to a range."""
        minimum = settings_of(request).story_min_cohort
        return story_view(
            await lifecycle.approve_story(caller=caller, story_id=story_id, min_cohort=minimum)
        )

    @post("/{story_id:uuid}/retirement", status_code=200, guards=[requires_centre])
    async def retire_story(self, caller: CurrentCaller, story_id: FromPath[uuid.UUID]) -> StoryRead:
        """Withdraw a draft or a published story (the drafting centre)."""
        return story_view(await lifecycle.retire_story(caller=caller, story_id=story_id))


#: Route handlers of this module, registered by ``api/app.py``.
HANDLERS: list = [StoryController]
