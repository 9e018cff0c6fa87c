"""Console sessions, stored in the database: every process sees them, and signing out
ends them everywhere. A session ends after a while unused (idle) and, however busy, after
a fixed time (absolute); both come from the settings."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from models import audit, clock
from models.errors import NotAuthenticated
from models.organisations import Caller, Organisation, OrganisationKind, User
from models.people.tables import ConsoleSession

#: Last-seen is written at most this often (or a quarter of a shorter idle time): idle
#: time is exact to about a minute.
LAST_SEEN_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class SignedIn:
    """A signed-in person: the caller the domain knows, and what the pages show."""

    caller: Caller
    session_id: uuid.UUID
    name: str
    organisation: str
    language: str
    is_coordinator: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(user_id: uuid.UUID) -> str:
    """A new session with a new random id (never one the browser brought along); the id
    is returned once, for the cookie, and stored only as a hash."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await ConsoleSession(
        id=uuid.uuid4(), user=user_id, token_hash=_hash(token), created_at=now, last_seen_at=now
    ).save()
    return token


_SESSION = (
    "SELECT s.id, s.created_at, s.last_seen_at, s.ended_at, u.id AS user_id, u.name, "  # noqa: S608 - table names only
    "u.language, u.is_coordinator, o.id AS organisation_id, o.name AS organisation, o.kind "
    f"FROM {ConsoleSession._meta.tablename} s "
    f"JOIN {User._meta.tablename} u ON u.id = s.{ConsoleSession.user._meta.db_column_name} "
    f"JOIN {Organisation._meta.tablename} o ON o.id = u.{User.organisation._meta.db_column_name} "
    "WHERE s.token_hash = {}"
)


async def resume(token: str, lifetimes: Lifetimes) -> SignedIn:
    """The person a session cookie stands for, while the session lives."""
    rows = await ConsoleSession.raw(_SESSION, _hash(token))
    now = clock.now()
    if not rows:
        raise NotAuthenticated("not signed in")
    row = rows[0]
    if (
        row["ended_at"] is not None
        or row["last_seen_at"] + lifetimes.idle <= now
        or row["created_at"] + lifetimes.absolute <= now
    ):
        raise NotAuthenticated("the session has ended; sign in again")
    if row["last_seen_at"] + min(LAST_SEEN_PRECISION, lifetimes.idle / 4) <= now:
        await ConsoleSession.update({ConsoleSession.last_seen_at: now}).where(
            ConsoleSession.id == row["id"]
        )
    caller = Caller(row["user_id"], row["organisation_id"], OrganisationKind(row["kind"]))
    return SignedIn(
        caller=caller,
        session_id=row["id"],
        name=row["name"],
        organisation=row["organisation"],
        language=row["language"],
        is_coordinator=bool(row["is_coordinator"]),
    )


async def end(signed_in: SignedIn) -> None:
    """Sign out this browser."""
    await ConsoleSession.update({ConsoleSession.ended_at: clock.now()}).where(
        ConsoleSession.id == signed_in.session_id, ConsoleSession.ended_at.is_null()
    )
    await audit.note(
        "staff.signed_out",
        actor_id=signed_in.caller.user_id,
        organisation_id=signed_in.caller.organisation_id,
        subject_id=signed_in.caller.user_id,
    )


async def end_all(user_id: uuid.UUID) -> int:
    """End every session of the person; how many were live."""
    ended = (
        await ConsoleSession.update({ConsoleSession.ended_at: clock.now()})
        .where(ConsoleSession.user == user_id, ConsoleSession.ended_at.is_null())
        .returning(ConsoleSession.id)
    )
    return len(ended)
