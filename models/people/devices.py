"""A person's phones: each an ordinary token with a device name, listed by id, ended one
by one (the office never sees a phone's token)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from models import audit, clock, database
from models.errors import NotFound
from models.organisations import DEVICE_IDLE_EXPIRY, ApiToken, Caller
from models.people.coordinators import manageable_user


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    name: str
    enrolled_at: datetime
    last_seen_at: datetime
    #: ``active``, ``revoked`` or ``expired`` (unused for 90 days).
    state: str


def device_of(row: dict, now: datetime) -> Device:
    if row["revoked_at"] is not None:
        state = "revoked"
    elif row["last_seen_at"] + DEVICE_IDLE_EXPIRY <= now:
        state = "expired"
    else:
        state = "active"
    return Device(row["id"], row["device_name"], row["created_at"], row["last_seen_at"], state)


async def devices_of(*, caller: Caller | None, user_id: uuid.UUID) -> list[Device]:
    """The user's phones, newest first; ``caller`` None is the command line."""
    await manageable_user(caller, user_id)
    rows = (
        await ApiToken.select()
        .where(ApiToken.user == user_id, ApiToken.device_name.is_not_null())
        .order_by(ApiToken.created_at, ascending=False)
    )
    now = clock.now()
    return [device_of(row, now) for row in rows]


async def revoke_device(*, caller: Caller | None, device_id: uuid.UUID) -> None:
    """End one phone's token. A device already revoked stays revoked (no error)."""
    row = (
        await ApiToken.select(ApiToken.user, ApiToken.user.organisation.as_alias("organisation"))
        .where(ApiToken.id == device_id, ApiToken.device_name.is_not_null())
        .first()
    )
    if row is None:
        raise NotFound("no such device")
    await manageable_user(caller, row["user"])
    async with database.transaction():
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(
            ApiToken.id == device_id, ApiToken.revoked_at.is_null()
        )
        await audit.note(
            "device.revoked",
            actor_id=caller.user_id if caller else None,
            organisation_id=row["organisation"],
            subject_id=device_id,
        )


async def sign_out_token(*, caller: Caller) -> None:
    """The caller's own token stops working (a phone signing out)."""
    if caller.token_id is None:
        raise NotFound("this request carries no token to sign out")
    async with database.transaction():
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(
            ApiToken.id == caller.token_id, ApiToken.revoked_at.is_null()
        )
        await audit.note(
            "token.signed_out",
            actor_id=caller.user_id,
            organisation_id=caller.organisation_id,
            subject_id=caller.token_id,
        )
