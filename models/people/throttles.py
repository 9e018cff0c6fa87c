"""Failed attempts counted in the database, so that every process of the service holds
one count: wrong enrolment codes by client address, failed sign-ins by account."""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import timedelta

from models import clock
from models.people.tables import FailedAttempt

#: Attempts older than this are deleted when a new one is counted.
FORGET_AFTER = timedelta(days=1)


def _subject(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def count_failure(scope: str, subject: str) -> None:
    now = clock.now()
    await FailedAttempt.delete().where(FailedAttempt.at < now - FORGET_AFTER)
    await FailedAttempt(id=uuid.uuid4(), scope=scope, subject_hash=_subject(subject), at=now).save()


async def recent_failures(scope: str, subject: str, *, within: timedelta) -> list:
    """The times of the failures within the window, oldest first."""
    rows = (
        await FailedAttempt.select(FailedAttempt.at)
        .where(
            FailedAttempt.scope == scope,
            FailedAttempt.subject_hash == _subject(subject),
            FailedAttempt.at > clock.now() - within,
        )
        .order_by(FailedAttempt.at)
    )
    return [row["at"] for row in rows]


async def forget(scope: str, subject: str) -> None:
    await FailedAttempt.delete().where(
        FailedAttempt.scope == scope, FailedAttempt.subject_hash == _subject(subject)
    )


async def wait_for_window(scope: str, subject: str, *, allowed: int, window: timedelta) -> int:
    """Seconds to wait before the next attempt: 0 while fewer than ``allowed`` failures
    fall within ``window``; else until the oldest that counts leaves it."""
    failures = await recent_failures(scope, subject, within=window)
    if len(failures) < allowed:
        return 0
    opens_at = failures[-allowed] + window
    return max(1, math.ceil((opens_at - clock.now()).total_seconds()))


async def wait_growing(scope: str, subject: str, *, allowed: int, window: timedelta) -> int:
    """Seconds to wait before the next attempt: 0 for the first ``allowed`` failures,
    then 1, 2, 4 … seconds after the latest, doubling with each failure (at most 15
    minutes)."""
    failures = await recent_failures(scope, subject, within=window)
    beyond = len(failures) - allowed
    if beyond < 0:
        return 0
    delay = timedelta(seconds=min(2**beyond, 900))
    remaining = (failures[-1] + delay - clock.now()).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0
