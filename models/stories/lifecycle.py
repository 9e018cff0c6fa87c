"""The life of a success story: drafted by a centre from a completed case whose person
consented, edited while a draft, published with coarse facts only, retired.

Every function checks, in this order: the story's reach (404), the drafting centre (403),
the story's state (409), then the case and the text (422). Every write locks the case row
first, so that a story cannot be drafted or published while consent is being withdrawn.

Drafting, editing and publishing compare the text with the person's data (see
``anonymity``): each of them leaves an entry in the audit trail of the case, and so does
a text refused for what it contains. A refusal never says what was found, and refusals
lock drafting from the case (see ``drafting``), lest the check be used to guess a
person's data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pycountry
from msgspec import UNSET

from models import audit, changes, clock, database, sealing
from models.cases.personal import open_person
from models.cases.reach import Role, roles_of, within_reach
from models.cases.tables import Case, Person, Status
from models.errors import Conflict, FieldError, Forbidden, RuleViolation
from models.organisations import Caller, OrganisationKind
from models.stories import anonymity, drafting
from models.stories.commands import StoryCreate, StoryEdit
from models.stories.facts import MIN_COHORT, coarse_facts
from models.stories.records import Row, is_drafter, story_row, visible_story
from models.stories.tables import Story, StoryDrafting, StoryStatus

Errors = list[tuple[str, str] | FieldError]

#: What a story needs of its case: reach, state, consent, and the coarse facts.
_CASE_COLUMNS = (
    Case.id,
    Case.reference,
    Case.status,
    Case.opened_by_org,
    Case.return_org,
    Case.partner_org,
    Case.consent_story_use,
    Case.personal_data_erased_at,
    Case.origin_country,
    Case.exploitation,
    Case.arrived_on,
    Case.outcome,
)

NOT_A_STORY_CASE = "must be the id of a completed case whose person consented to story use"
#: Codes of the refusals of a story's case and fields (``FieldError.code``), for callers
#: that word them themselves.
NOT_A_STORY_CASE_CODE = "not_a_story_case"
NOT_COMPLETED, NO_CONSENT, ERASED = "not_completed", "no_consent", "erased"
BLANK, NOT_A_LANGUAGE = "blank", "not_a_language"


def _require_centre(caller: Caller) -> None:
    if caller.kind is not OrganisationKind.centre:
        raise Forbidden("only a centre drafts and publishes success stories")


async def _own_story(caller: Caller, story_id: uuid.UUID, *, lock: bool = False) -> Row:
    story = await visible_story(caller, story_id, lock=lock)
    if not is_drafter(caller, story):
        raise Forbidden("only the centre that drafted the story may change it")
    return story


async def _story_case(caller: Caller, case_id: uuid.UUID) -> tuple[Row | None, Errors]:
    """The case, locked, and why a story may not be drawn from it (empty when it may).

    A case out of the centre's reach is refused exactly like an id that does not exist."""
    row = await database.for_update(Case.select(*_CASE_COLUMNS).where(Case.id == case_id).first())
    if row is None or not roles_of(caller, row):
        return None, [FieldError("case_id", NOT_A_STORY_CASE, NOT_A_STORY_CASE_CODE)]
    errors: Errors = []
    if row["status"] != Status.completed:
        errors.append(
            FieldError(
                "case_id",
                f"the case is {row['status']}; a story needs a completed case",
                NOT_COMPLETED,
            )
        )
    if not row["consent_story_use"]:
        errors.append(
            FieldError(
                "case_id",
                "the person has not consented to story use (consent.story_use)",
                NO_CONSENT,
            )
        )
    if row["personal_data_erased_at"] is not None:
        errors.append(
            FieldError(
                "case_id",
                "the person's data is erased: a story can no longer be checked",
                ERASED,
            )
        )
    return row, errors


def _field_errors(*, title: str, text: str, language: str) -> Errors:
    errors: Errors = [
        FieldError(field, "must not be blank", BLANK)
        for field, value in (("title", title), ("text", text))
        if not value.strip()
    ]
    if pycountry.languages.get(alpha_2=language) is None:
        errors.append(FieldError("language", "must be an ISO 639-1 language code", NOT_A_LANGUAGE))
    return errors


async def _identifiers(case: Row) -> anonymity.Identifiers:
    person = (
        await Person.select(
            Person.id,
            Person.case,
            Person.given_name,
            Person.family_name,
            Person.date_of_birth,
            Person.phone,
            Person.representative_name,
        )
        .where(Person.case == case["id"])
        .first()
    )
    opened: dict[str, Any] = open_person(person) if person else {}
    return anonymity.Identifiers(
        given_name=opened.get("given_name"),
        family_name=opened.get("family_name"),
        representative_name=opened.get("representative_name"),
        phone=opened.get("phone"),
        date_of_birth=opened.get("date_of_birth"),
        reference=case["reference"],
        case_id=case["id"],
    )


async def _identifies(case: Row, *, title: str, text: str) -> bool:
    """Does the title or the text contain anything that identifies the case's person?"""
    facts = await _identifiers(case)
    return any(anonymity.findings(value, facts) for value in (title, text))


async def _case_to_draft_from(caller: Caller, data: StoryCreate) -> Row:
    """The case a draft (or its check) is written from, refused with every field's error
    at once, or while drafting from it is locked. Inside the caller's transaction."""
    errors = _field_errors(title=data.title, text=data.text, language=data.language)
    case, case_errors = await _story_case(caller, data.case_id)
    if errors or case_errors:
        raise RuleViolation.many(errors + case_errors)
    assert case is not None
    await drafting.require_unlocked(case["id"])
    return case


async def create_story(*, caller: Caller, data: StoryCreate) -> Row:
    """A draft from a completed case with story consent that the centre reaches."""
    _require_centre(caller)
    async with database.transaction():
        case = await _case_to_draft_from(caller, data)
        if await _identifies(case, title=data.title, text=data.text):
            refusal = await drafting.refuse(caller, case)
        else:
            now = clock.now()
            story_id = uuid.uuid4()
            await Story(
                id=story_id,
                case=case["id"],
                organisation=caller.organisation_id,
                created_by=caller.user_id,
                **sealing.seal(
                    Story,
                    {"title": data.title, "text": data.text},
                    row_id=story_id,
                    case_id=case["id"],
                ),
                language=data.language,
                status=StoryStatus.draft,
                created_at=now,
                updated_at=now,
                change_seq=await changes.next_number(),
            ).save()
            await audit.record(caller, "story.drafted", [case["id"]])
            return await story_row(story_id)
    raise refusal


async def edit_story(*, caller: Caller, story_id: uuid.UUID, data: StoryEdit) -> Row:
    """Change the title, text or language of a draft; the same values again change nothing."""
    _require_centre(caller)
    story = await _own_story(caller, story_id)
    async with database.transaction():
        case, case_errors = await _story_case(caller, story["case"])
        story = await _own_story(caller, story_id, lock=True)
        if story["status"] != StoryStatus.draft:
            raise Conflict(f"the story is {story['status']}; only a draft can be edited")
        wanted = {
            "title": story["title"] if data.title is UNSET else data.title,
            "text": story["text"] if data.text is UNSET else data.text,
            "language": story["language"] if data.language is UNSET else data.language,
        }
        if all(story[field] == value for field, value in wanted.items()):
            return story
        errors = _field_errors(**wanted)
        if errors or case_errors:
            raise RuleViolation.many(errors + case_errors)
        assert case is not None
        await drafting.require_unlocked(case["id"])
        if await _identifies(case, title=wanted["title"], text=wanted["text"]):
            refusal = await drafting.refuse(caller, case)
        else:
            sealed = sealing.seal(Story, wanted, row_id=story_id, case_id=story["case"])
            await Story.update(
                {
                    Story.title: sealed["title"],
                    Story.text: sealed["text"],
                    Story.language: wanted["language"],
                    Story.updated_at: clock.now(),
                    Story.change_seq: await changes.next_number(),
                }
            ).where(Story.id == story_id)
            await audit.record(caller, "story.edited", [story["case"]])
            return await story_row(story_id)
    raise refusal


async def approve_story(
    *, caller: Caller, story_id: uuid.UUID, min_cohort: int = MIN_COHORT
) -> Row:
    """Publish a draft with the coarse facts of its case. The case must still be eligible,
    the text is checked again (the person's data may have changed since drafting), and at
    least ``min_cohort`` completed cases must share the facts. Approving a published story
    again changes nothing."""
    _require_centre(caller)
    story = await _own_story(caller, story_id)
    async with database.transaction():
        case, case_errors = await _story_case(caller, story["case"])
        story = await _own_story(caller, story_id, lock=True)
        if story["status"] == StoryStatus.published:
            return story
        if story["status"] != StoryStatus.draft:
            raise Conflict(f"the story is {story['status']}; only a draft can be published")
        if case_errors:
            raise RuleViolation.many(case_errors)
        assert case is not None
        facts = await coarse_facts(case, min_cohort=min_cohort)
        if await _identifies(case, title=story["title"], text=story["text"]):
            refusal = await drafting.refuse(caller, case)
        else:
            now = clock.now()
            await Story.update(
                {
                    Story._meta.get_column_by_name(name): value
                    for name, value in {
                        **facts.columns(),
                        "status": StoryStatus.published,
                        "published_at": now,
                        "updated_at": now,
                        "change_seq": await changes.next_number(),
                    }.items()
                }
            ).where(Story.id == story_id)
            await audit.record(caller, "story.published", [story["case"]])
            return await story_row(story_id)
    raise refusal


async def _retire(condition: Any) -> None:
    now = clock.now()
    await Story.update(
        {
            Story.status: StoryStatus.retired,
            Story.retired_at: now,
            Story.updated_at: now,
            Story.change_seq: await changes.next_number(),
        }
    ).where(condition)


async def retire_story(*, caller: Caller, story_id: uuid.UUID) -> Row:
    """Withdraw a draft or a published story; retiring it again changes nothing."""
    _require_centre(caller)
    story = await _own_story(caller, story_id)
    async with database.transaction():
        await database.for_update(Case.select(Case.id).where(Case.id == story["case"]).first())
        story = await _own_story(caller, story_id, lock=True)
        if story["status"] == StoryStatus.retired:
            return story
        await _retire(Story.id == story_id)
        await audit.record(caller, "story.retired", [story["case"]])
        return await story_row(story_id)


async def retire_stories_of(case_id: uuid.UUID) -> None:
    """Retire every story of the case at once: its person withdrew consent to story use,
    or their data was erased. Call it inside the transaction that made that change, after
    the case row is locked; it stamps ``change_seq`` on the stories it retires."""
    live = (Story.case == case_id) & (Story.status != StoryStatus.retired)
    # Lock the stories before taking a change number, as every write does.
    if await database.for_update(Story.select(Story.id).where(live)):
        await _retire(live)


# --- Before drafting: the cases to draw from, and the check of a text ---------------------

#: The twin of ``_story_case`` over many cases: completed, with story consent, not erased.
_MAY_TELL = (
    (Case.status == Status.completed)
    & (Case.consent_story_use == True)
    & Case.personal_data_erased_at.is_null()
)


@dataclass(frozen=True)
class StorySource:
    """A case a story may be drawn from, as a centre sees it: never its person."""

    case_id: uuid.UUID
    reference: str
    origin_country: str
    #: Sorted, comma-separated, as stored.
    exploitation: str
    closed_on: date | None
    #: Drafting locked after repeated refusals (see ``drafting``).
    locked: bool
    #: The caller opened the case and sees its person: a check tells it what was found.
    opener: bool


async def _sources(caller: Caller, rows: list[Row]) -> list[StorySource]:
    ids = [row["id"] for row in rows]
    locked = (
        {
            state["case"]
            for state in await StoryDrafting.select(StoryDrafting.case).where(
                StoryDrafting.case.is_in(ids), StoryDrafting.locked_at.is_not_null()
            )
        }
        if ids
        else set()
    )
    return [
        StorySource(
            case_id=row["id"],
            reference=row["reference"],
            origin_country=row["origin_country"],
            exploitation=row["exploitation"],
            closed_on=row["closed_on"],
            locked=row["id"] in locked,
            opener=Role.opener in roles_of(caller, row),
        )
        for row in rows
    ]


async def story_sources(
    *, caller: Caller, after: tuple[date, uuid.UUID] | None, limit: int
) -> list[StorySource]:
    """A page of the cases the centre may draw a story from, the latest closed first;
    ``after`` is the last (closed_on, id) seen."""
    _require_centre(caller)
    query = Case.select(*_CASE_COLUMNS, Case.closed_on).where(within_reach(caller), _MAY_TELL)
    if after is not None:
        closed_on, case_id = after
        query = query.where(
            (Case.closed_on < closed_on) | ((Case.closed_on == closed_on) & (Case.id < case_id))
        )
    rows = await query.order_by(Case.closed_on, Case.id, ascending=False).limit(limit)
    return await _sources(caller, rows)


async def story_source(*, caller: Caller, case_id: uuid.UUID) -> StorySource:
    """The case a story is to be drawn from; refused (on ``case_id``) as a draft would be
    when a story may not be drawn from it, or drafting from it is locked."""
    _require_centre(caller)
    # A read: the row lock ``_story_case`` takes ends with its statement.
    case, case_errors = await _story_case(caller, case_id)
    if case_errors:
        raise RuleViolation.many(case_errors)
    assert case is not None
    await drafting.require_unlocked(case["id"])
    closed = await Case.select(Case.closed_on).where(Case.id == case["id"]).first()
    (source,) = await _sources(caller, [{**case, **closed}])
    return source


#: What a check found when it may not say what: the one answer of ``drafting``.
PERSONAL_DATA = "personal_data"


async def check_story(*, caller: Caller, data: StoryCreate) -> dict[str, list[str]]:
    """What a draft of ``data`` would be refused for, before it is saved: for the title and
    for the text, the facts found (names of ``anonymity.MESSAGES``); empty lists when
    nothing was. The case's opener sees the person anyway and is told which facts, and
    its checks are not counted. Any other centre is told only that the text contains
    personal data (a refusal as ``drafting`` gives it, raised), and the check counts as a
    refused draft: checking is not a way around the lock."""
    _require_centre(caller)
    async with database.transaction():
        case = await _case_to_draft_from(caller, data)
        facts = await _identifiers(case)
        found = {
            "title": [f.fact for f in anonymity.findings(data.title, facts)],
            "text": [f.fact for f in anonymity.findings(data.text, facts)],
        }
        if not any(found.values()):
            return found
        if Role.opener in roles_of(caller, case):
            await audit.record(caller, "story.checked", [case["id"]])
            return found
        refusal = await drafting.refuse(caller, case)
    raise refusal
