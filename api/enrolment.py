"""Phones enrol: a one-time code for a token of the phone's own, and sign out again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, post
from litestar.params import JSONBody

from api.auth import CurrentCaller
from api.proxies import client_address
from api.settings import settings_of
from models.people import devices, enrolment


class EnrolmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: The code as printed or scanned, e.g. ``K7QM-4XTP-9WHC``.
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    #: The phone's name as its user knows it, e.g. ``Tecno Spark 10``.
    device: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
    #: A random id the app made and keeps, so that a retry is recognised.
    device_key: Annotated[str, msgspec.Meta(min_length=8, max_length=200)]


class EnrolledUser(msgspec.Struct):
    id: uuid.UUID
    name: str


class EnrolledOrganisation(msgspec.Struct):
    id: uuid.UUID
    name: str
    kind: str


class EnrolmentRead(msgspec.Struct):
    token: str
    device_id: uuid.UUID
    user: EnrolledUser
    organisation: EnrolledOrganisation


@post(
    "/enrolment",
    tags=["enrolment"],
    status_code=201,
    opt={"exclude_from_auth": True},
    security=[],
)
async def enrol_phone(
    request: Request[Any, Any, Any], data: JSONBody[EnrolmentCreate]
) -> EnrolmentRead:
    """Exchange a one-time code for the phone's own token (no Authorization). Unknown, used
    and expired codes are one 404; the same code and device_key again within 15 minutes
    answers 201 with a fresh token and revokes the one given before."""
    settings = settings_of(request)
    enrolled = await enrolment.enrol(
        code=data.code,
        device=data.device.strip(),
        device_key=data.device_key,
        client_address=client_address(request),
        failures_allowed=settings.enrolment_failures_allowed,
        failure_window=timedelta(seconds=settings.enrolment_failure_window),
    )
    return EnrolmentRead(
        token=enrolled.token,
        device_id=enrolled.device_id,
        user=EnrolledUser(id=enrolled.user["id"], name=enrolled.user["name"]),
        organisation=EnrolledOrganisation(**enrolled.organisation),
    )


@delete("/me/token", tags=["me"], status_code=204)
async def sign_out_token(caller: CurrentCaller) -> None:
    """Sign this phone out: its token stops working (answers 401 token-revoked)."""
    await devices.sign_out_token(caller=caller)


HANDLERS = [enrol_phone, sign_out_token]
