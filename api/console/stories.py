"""The story library of a centre (CMM): published stories searched by country, form of
exploitation and language; drafting a story from a completed case with consent, its text
checked before it is saved; approving a draft; and a printable card of a published story
for identification interviews.

Drafting goes through the domain's own functions (``models/stories``): the check counts
against the drafting lock as a refused draft does, and tells only the case's opener what
was found, so the console is no way around the protections of the API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import msgspec
from babel import Locale, UnknownLocaleError
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from api import pagination
from api.console import i18n, pages
from api.settings import settings_of
from api.stories import story_view
from models.cases.tables import Exploitation
from models.errors import NOT_A_CURSOR, FieldError, RuleViolation
from models.organisations import OrganisationKind
from models.people.sessions import SignedIn
from models.stories import drafting, lifecycle, records
from models.stories.commands import StoryCreate
from models.stories.facts import TOO_FEW_ALIKE
from models.stories.records import StoryFilter
from models.stories.tables import StoryStatus

STORIES = "/console/stories"
PAGE_SIZE = 20
#: Texts longer than these many characters are printed smaller, to stay on one A4 page.
LONG_TEXT, LONGER_TEXT = 2500, 5000

#: The domain's refusals of a story, by their code (never their English), as catalogue
#: keys; a blank field is told by its name, any other refusal as the field's.
_MESSAGES = {
    drafting.IDENTIFYING_CODE: "stories.error.identifying",
    drafting.LOCKED_CODE: "stories.error.locked",
    lifecycle.NOT_A_STORY_CASE_CODE: "stories.error.not_a_story_case",
    lifecycle.NOT_COMPLETED: "stories.error.not_completed",
    lifecycle.NO_CONSENT: "stories.error.no_consent",
    lifecycle.ERASED: "stories.error.erased",
    TOO_FEW_ALIKE: "stories.error.cohort",
    lifecycle.NOT_A_LANGUAGE: "stories.error.language",
    NOT_A_CURSOR: "stories.error.cursor",
}


def _key(error: FieldError) -> str:
    if error.code == lifecycle.BLANK:
        return f"stories.error.blank.{error.field}"
    return _MESSAGES.get(error.code or "", "stories.error.field")


def _errors(refused: RuleViolation) -> list[tuple[str, str]]:
    """The refusal's errors as (field, catalogue key), each once."""
    seen: list[tuple[str, str]] = []
    for error in refused.errors:
        found = (error.field, _key(error))
        if found not in seen:
            seen.append(found)
    return seen


def _page(request: Request[Any, Any, Any], name: str, *, who: SignedIn, **context: Any) -> Template:
    """A story page, with country and language names in the page's language."""
    locale = Locale.parse(pages.language_of(request, who))
    return pages.page(
        request,
        name,
        who=who,
        country_name=lambda code: locale.territories.get(code, code) if code else "",
        language_name=lambda code: locale.languages.get(code, code) if code else "",
        **context,
    )


def _is_centre(who: SignedIn) -> bool:
    return who.caller.kind is OrganisationKind.centre


# --- The library ---------------------------------------------------------------------------


def _filters(request: Request[Any, Any, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The search form's values as typed, and what is wrong with them."""
    query = request.query_params
    values = {
        "origin_country": query.get("origin_country", "").strip().upper(),
        "exploitation": query.get("exploitation", "").strip(),
        "language": query.get("language", "").strip().lower(),
    }
    errors = []
    if values["origin_country"] and not (
        len(values["origin_country"]) == 2
        and values["origin_country"].isascii()
        and values["origin_country"].isalpha()
    ):
        errors.append(("origin_country", "stories.search.error.country"))
    if values["exploitation"] and values["exploitation"] not in Exploitation.__members__:
        errors.append(("exploitation", "stories.search.error.exploitation"))
    if values["language"] and not (
        len(values["language"]) == 2
        and values["language"].isascii()
        and values["language"].isalpha()
    ):
        errors.append(("language", "stories.search.error.language"))
    return values, errors


async def _story_page(
    who: SignedIn, filters: StoryFilter, cursor: str | None, field: str
) -> tuple[list[Any], str | None]:
    after = pagination.decode(cursor, tuple[datetime, uuid.UUID], field=field)
    rows = await records.list_stories(
        caller=who.caller, filters=filters, after=after, limit=PAGE_SIZE + 1
    )
    page, following = pagination.split(
        rows, PAGE_SIZE, lambda row: records.sort_key(row, filters.status)
    )
    return [story_view(row) for row in page], following


@get("/stories")
async def library(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    values, errors = _filters(request)
    query = request.query_params
    context: dict[str, Any] = {"values": values, "stories": [], "next_stories": None}
    try:
        if not errors:
            context["stories"], context["next_stories"] = await _story_page(
                who,
                StoryFilter(**{name: value or None for name, value in values.items()}),
                query.get("published"),
                "published",
            )
        if _is_centre(who):
            context["drafts"], context["next_drafts"] = await _story_page(
                who, StoryFilter(status=StoryStatus.draft), query.get("drafts"), "drafts"
            )
            after = pagination.decode(query.get("cases"), tuple[date, uuid.UUID], field="cases")
            sources = await lifecycle.story_sources(
                caller=who.caller, after=after, limit=PAGE_SIZE + 1
            )
            context["sources"], context["next_sources"] = pagination.split(
                sources, PAGE_SIZE, lambda source: (source.closed_on, source.case_id)
            )
    except RuleViolation as refused:
        errors = _errors(refused)
    return _page(
        request,
        "stories/library.html",
        who=who,
        status=422 if errors else 200,
        errors=errors,
        exploitations=list(Exploitation),
        **{"drafts": [], "next_drafts": None, "sources": [], "next_sources": None} | context,
    )


# --- Drafting ------------------------------------------------------------------------------


def _case_id(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise RuleViolation.on(
            "case_id", lifecycle.NOT_A_STORY_CASE, lifecycle.NOT_A_STORY_CASE_CODE
        ) from None


def _draft_form(
    request: Request[Any, Any, Any],
    who: SignedIn,
    *,
    source: lifecycle.StorySource | None,
    values: dict[str, str],
    errors: list[tuple[str, str]] | None = None,
    findings: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Template:
    return _page(
        request,
        "stories/new.html",
        who=who,
        source=source,
        values=values,
        findings=findings,
        errors=errors,
        status=status,
    )


async def _source(
    request: Request[Any, Any, Any], who: SignedIn, values: dict[str, str]
) -> lifecycle.StorySource | Template:
    """The case the form drafts from; one a story may not come from, the form saying why."""
    try:
        return await lifecycle.story_source(caller=who.caller, case_id=_case_id(values["case_id"]))
    except RuleViolation as refused:
        return _draft_form(
            request, who, source=None, values=values, errors=_errors(refused), status=422
        )


@get("/stories/new")
async def new_story(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    values = {
        "case_id": request.query_params.get("case_id", ""),
        "title": "",
        "text": "",
        "language": pages.language_of(request, who),
    }
    source = await _source(request, who, values)
    if isinstance(source, Template):
        return source
    return _draft_form(request, who, source=source, values=values)


def _story_create(values: dict[str, str]) -> StoryCreate:
    """The form as the API's request body; a field out of its bounds is refused by name."""
    try:
        return msgspec.convert(values, StoryCreate)
    except msgspec.ValidationError as invalid:
        field = str(invalid).rpartition("$.")[2].rstrip("`")
        field = field if field in values else "text"
        raise RuleViolation.on(field, "length") from None


@post("/stories/new", status_code=200)
async def draft_story(request: Request[Any, Any, Any]) -> Template | Redirect:
    """Check the text (the form again, with what the check found), or save the draft."""
    who = await pages.person(request)
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("case_id", "title", "text", "language")}
    values["language"] = values["language"].strip().lower()
    source = await _source(request, who, values)
    if isinstance(source, Template):
        return source
    try:
        data = _story_create(values)
        if form.get("action") == "check":
            found = await lifecycle.check_story(caller=who.caller, data=data)
            return _draft_form(request, who, source=source, values=values, findings=found)
        story = await lifecycle.create_story(caller=who.caller, data=data)
    except RuleViolation as refused:
        errors = [
            (field, "stories.error.length." + field if key == "stories.error.field" else key)
            for field, key in _errors(refused)
        ]
        findings = None
        if source.opener and any(key == "stories.error.identifying" for _, key in errors):
            # The opener sees the person anyway: it is told what was found (never counted).
            findings = await lifecycle.check_story(caller=who.caller, data=data)
        return _draft_form(
            request,
            who,
            source=source,
            values=values,
            errors=errors,
            findings=findings,
            status=422,
        )
    return Redirect(f"{STORIES}/{story['id']}", status_code=303)


@post("/stories/cases/{case_id:uuid}/unlock", status_code=303)
async def unlock_drafting(
    request: Request[Any, Any, Any], case_id: FromPath[uuid.UUID]
) -> Redirect:
    """The case's opener lets centres draft from it again (``drafting.unlock``)."""
    who = await pages.person(request)
    await drafting.unlock(caller=who.caller, case_id=case_id)
    return Redirect(f"{STORIES}#cases", status_code=303)


# --- One story, its approval and its card ----------------------------------------------------


def _story_page_of(
    request: Request[Any, Any, Any],
    who: SignedIn,
    story: dict[str, Any],
    *,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> Template:
    return _page(
        request,
        "stories/story.html",
        who=who,
        story=story_view(story),
        drafter=records.is_drafter(who.caller, story),
        errors=errors,
        status=status,
    )


@get("/stories/{story_id:uuid}")
async def story_page(request: Request[Any, Any, Any], story_id: FromPath[uuid.UUID]) -> Template:
    who = await pages.person(request)
    story = await records.get_story(caller=who.caller, story_id=story_id)
    return _story_page_of(request, who, story)


@post("/stories/{story_id:uuid}/approval", status_code=200)
async def approve_story(
    request: Request[Any, Any, Any], story_id: FromPath[uuid.UUID]
) -> Template | Redirect:
    who = await pages.person(request)
    try:
        await lifecycle.approve_story(
            caller=who.caller,
            story_id=story_id,
            min_cohort=settings_of(request).story_min_cohort,
        )
    except RuleViolation as refused:
        story = await records.get_story(caller=who.caller, story_id=story_id)
        return _story_page_of(request, who, story, errors=_errors(refused), status=422)
    return Redirect(f"{STORIES}/{story_id}", status_code=303)


@get("/stories/{story_id:uuid}/card")
async def story_card(request: Request[Any, Any, Any], story_id: FromPath[uuid.UUID]) -> Template:
    """One A4 page to lay on the table in an identification interview: the story and its
    coarse facts, nothing that points at the returnee."""
    who = await pages.person(request)
    story = story_view(await records.get_story(caller=who.caller, story_id=story_id))
    if story.status != StoryStatus.published:
        return _page(
            request, "error.html", who=who, status=409, message="stories.card.not_published"
        )
    size = len(story.text)
    words = story.language if story.language in i18n.LANGUAGES else "en"
    return _page(
        request,
        "stories/card.html",
        who=who,
        story=story,
        card_language=words,
        ct=i18n.translator(words),
        country=_country_name(story.origin_country, story.language),
        length="longer" if size > LONGER_TEXT else "long" if size > LONG_TEXT else "short",
    )


def _country_name(code: str | None, language: str) -> str | None:
    """The country's name in the story's language (Babel's data), else in English."""
    if code is None:
        return None
    for locale in (language, "en"):
        try:
            name = Locale.parse(locale).territories.get(code)
        except (ValueError, UnknownLocaleError):
            continue
        if name:
            return name
    return code


#: The console pages of this module.
HANDLERS = [
    library,
    new_story,
    draft_story,
    unlock_drafting,
    story_page,
    approve_story,
    story_card,
]
