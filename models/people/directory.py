"""What a coordinator sees and does on the people page: the organisation's people and
their phones, ending sessions, naming other coordinators, the sign-in trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from models import audit, clock
from models.audit import AuditEntry
from models.organisations import ApiToken, Caller, User
from models.people import sessions
from models.people.coordinators import manageable_user, require_coordinator
from models.people.devices import Device, device_of
from models.people.tables import StaffCredential

LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    email: str | None
    is_coordinator: bool
    #: Has set a password and an authenticator.
    signs_in: bool
    devices: list[Device]


async def people_of(caller: Caller) -> list[Person]:
    """The caller's organisation's people, by name, each with their phones."""
    await require_coordinator(caller)
    users = (
        await User.select().where(User.organisation == caller.organisation_id).order_by(User.name)
    )
    ids = [user["id"] for user in users]
    devices: dict[uuid.UUID, list[Device]] = {user_id: [] for user_id in ids}
    signs_in: set[uuid.UUID] = set()
    if ids:
        now = clock.now()
        for row in (
            await ApiToken.select()
            .where(ApiToken.user.is_in(ids), ApiToken.device_name.is_not_null())
            .order_by(ApiToken.created_at, ascending=False)
        ):
            devices[row["user"]].append(device_of(row, now))
        credentials = await StaffCredential.select(StaffCredential.user).where(
            StaffCredential.user.is_in(ids)
        )
        signs_in = {row["user"] for row in credentials}
    return [
        Person(
            id=user["id"],
            name=user["name"],
            email=user["email"],
            is_coordinator=user["is_coordinator"],
            signs_in=user["id"] in signs_in,
            devices=devices[user["id"]],
        )
        for user in users
    ]


async def end_sessions_of(*, caller: Caller, user_id: uuid.UUID) -> int:
    """Sign a person of the caller's organisation out of every browser."""
    user = await manageable_user(caller, user_id)
    ended = await sessions.end_all(user_id)
    await audit.note(
        "staff.sessions_ended",
        actor_id=caller.user_id,
        organisation_id=user["organisation"],
        subject_id=user_id,
    )
    return ended


async def set_coordinator(*, caller: Caller, user_id: uuid.UUID, coordinator: bool) -> None:
    user = await manageable_user(caller, user_id)
    await User.update({User.is_coordinator: coordinator}).where(User.id == user_id)
    await audit.note(
        "staff.coordinator_set" if coordinator else "staff.coordinator_unset",
        actor_id=caller.user_id,
        organisation_id=user["organisation"],
        subject_id=user_id,
    )


async def set_language(*, caller: Caller, language: str) -> None:
    if language in LANGUAGES:
        await User.update({User.language: language}).where(User.id == caller.user_id)


async def people_trail(caller: Caller, limit: int = 50) -> list[dict]:
    """The latest entries about the organisation's people (no case), newest first."""
    await require_coordinator(caller)
    return (
        await AuditEntry.select()
        .where(
            AuditEntry.organisation_id == caller.organisation_id,
            AuditEntry.case_id.is_null(),
            AuditEntry.case_ids.is_null(),
        )
        .order_by(AuditEntry.at, ascending=False)
        .limit(limit)
    )
