"""The people page: a coordinator manages their own organisation's people and phones."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from api.console import i18n, pages, qr
from api.settings import settings_of
from models.errors import NotFound, RuleViolation
from models.people import devices, directory, enrolment, staff

PEOPLE = "/console/people"


def _public_url(request: Request[Any, Any, Any]) -> str:
    settings = settings_of(request)
    return settings.public_url


@get("/people")
async def people_page(request: Request[Any, Any, Any]) -> Template:
    who = await pages.person(request)
    people = await directory.people_of(who.caller)
    names = {person.id: person.name for person in people} | {
        device.id: f"{device.name} ({person.name})"
        for person in people
        for device in person.devices
    }
    return pages.page(
        request,
        "people.html",
        who=who,
        people=people,
        trail=await directory.people_trail(who.caller),
        names=names,
    )


@post("/people/{user_id:uuid}/enrolment-code", status_code=200)
async def make_enrolment_code(
    request: Request[Any, Any, Any], user_id: FromPath[uuid.UUID]
) -> Template:
    who = await pages.person(request)
    issued = await enrolment.issue_code(
        caller=who.caller, user_id=user_id, public_url=_public_url(request)
    )
    t = i18n.translator(pages.language_of(request, who))
    return pages.page(
        request,
        "people_code.html",
        who=who,
        issued=issued,
        qr=qr.svg(issued.url, title=t("people.code.qr_title")),
    )


@get("/people/{user_id:uuid}/invitation")
async def invitation_page(
    request: Request[Any, Any, Any], user_id: FromPath[uuid.UUID]
) -> Template:
    who = await pages.person(request)
    person = await _person(who, user_id)
    return pages.page(
        request, "people_invite.html", who=who, person=person, email=person.email or "", issued=None
    )


@post("/people/{user_id:uuid}/invitation", status_code=200)
async def invite(request: Request[Any, Any, Any], user_id: FromPath[uuid.UUID]) -> Template:
    who = await pages.person(request)
    person = await _person(who, user_id)
    email = str((await request.form()).get("email", "")).strip()
    try:
        issued = await staff.invite(
            caller=who.caller, user_id=user_id, email=email, public_url=_public_url(request)
        )
    except RuleViolation as refused:
        return pages.page(
            request,
            "people_invite.html",
            who=who,
            person=person,
            email=email,
            issued=None,
            status=422,
            errors=pages.field_errors(refused, {"email": "people.invite.error.email"}),
        )
    return pages.page(
        request, "people_invite.html", who=who, person=person, email=email, issued=issued
    )


async def _person(who: Any, user_id: FromPath[uuid.UUID]) -> directory.Person:
    """One of the organisation's people (another organisation's is not found)."""
    for person in await directory.people_of(who.caller):
        if person.id == user_id:
            return person
    raise NotFound("no such user")


@post("/people/devices/{device_id:uuid}/revocation", status_code=303)
async def revoke_device(
    request: Request[Any, Any, Any], device_id: FromPath[uuid.UUID]
) -> Redirect:
    who = await pages.person(request)
    await devices.revoke_device(caller=who.caller, device_id=device_id)
    return Redirect(PEOPLE, status_code=303)


@post("/people/{user_id:uuid}/sessions-ended", status_code=303)
async def end_sessions(request: Request[Any, Any, Any], user_id: FromPath[uuid.UUID]) -> Redirect:
    who = await pages.person(request)
    await directory.end_sessions_of(caller=who.caller, user_id=user_id)
    return Redirect(PEOPLE, status_code=303)


@post("/people/{user_id:uuid}/coordinator", status_code=303)
async def set_coordinator(
    request: Request[Any, Any, Any], user_id: FromPath[uuid.UUID]
) -> Redirect:
    who = await pages.person(request)
    coordinator = (await request.form()).get("coordinator") == "yes"
    await directory.set_coordinator(caller=who.caller, user_id=user_id, coordinator=coordinator)
    return Redirect(PEOPLE, status_code=303)


#: The console pages of this module.
HANDLERS = [
    people_page,
    make_enrolment_code,
    invitation_page,
    invite,
    revoke_device,
    end_sessions,
    set_coordinator,
]
