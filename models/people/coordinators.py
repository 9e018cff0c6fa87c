"""Who manages whom: a coordinator manages the people of their own organisation, the
command line (run by whoever runs the service) manages everyone, nobody else anyone."""

from __future__ import annotations

import uuid

from models.errors import Forbidden, NotFound
from models.organisations import Caller, User


async def is_coordinator(caller: Caller) -> bool:
    row = await User.select(User.is_coordinator).where(User.id == caller.user_id).first()
    return bool(row and row["is_coordinator"])


async def require_coordinator(caller: Caller) -> None:
    if not await is_coordinator(caller):
        raise Forbidden("only a coordinator of the organisation manages its people")


async def manageable_user(caller: Caller | None, user_id: uuid.UUID) -> dict:
    """The user, when ``caller`` may manage them (None: the command line). Another
    organisation's person is not found, exactly like a missing one."""
    if caller is not None:
        await require_coordinator(caller)
    query = User.select().where(User.id == user_id)
    if caller is not None:
        query = query.where(User.organisation == caller.organisation_id)
    user = await query.first()
    if user is None:
        raise NotFound("no such user")
    return user
