"""People as the sign-in tests meet them: an organisation's user and their phones."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from models.organisations import OrganisationKind, User, add_organisation, add_user
from models.people import enrolment
from tests.conftest import Member

PUBLIC_URL = "https://tracker.example"


async def user_of(member: Member) -> uuid.UUID:
    row = await User.select(User.id).where(User.organisation == member.organisation_id).first()
    return row["id"]


async def new_person(
    kind: OrganisationKind = OrganisationKind.partner, *, coordinator: bool = False
) -> tuple[uuid.UUID, uuid.UUID]:
    """A user of a new organisation: (user id, organisation id)."""
    organisation = await add_organisation(
        name=f"{kind.value} {uuid.uuid4().hex[:6]}", kind=kind, country="NG"
    )
    user, _ = await add_user(
        organisation_id=organisation.id, name="Amaka Eze", coordinator=coordinator
    )
    return user.id, organisation.id


async def code_for(user_id: uuid.UUID, **options: Any) -> str:
    return (
        await enrolment.issue_code(caller=None, user_id=user_id, public_url=PUBLIC_URL, **options)
    ).code


def phone(code: str, key: str | None = None, device: str = "Tecno Spark 10") -> dict[str, str]:
    return {"code": code, "device": device, "device_key": key or uuid.uuid4().hex}


async def enrolled(client: httpx.AsyncClient, user_id: uuid.UUID) -> dict[str, Any]:
    """A phone enrolled for the user: the answer, with ``headers`` to send its token."""
    response = await client.post("/api/v1/enrolment", json=phone(await code_for(user_id)))
    assert response.status_code == 201, response.text
    body = response.json()
    return body | {"headers": {"Authorization": f"Bearer {body['token']}"}}
