"""Signing in to the console: e-mail and password, then the authenticator's code or a
recovery code. Between the two steps only a short-lived, single-use record exists; the
session is made after the second factor.

Failed sign-ins are counted per account (by e-mail address, whether or not it exists),
and after ``allowed`` failures each attempt waits longer. Every refusal reads the same,
whatever was wrong."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from models import audit, clock, database
from models.errors import NotAuthenticated, TooManyAttempts
from models.organisations import Caller, User
from models.people import passwords, second_factor, sessions, throttles
from models.people.staff import normalised_email
from models.people.tables import PendingSignIn, StaffCredential

THROTTLE = "sign_in"
#: Failures older than this no longer slow an account down.
FAILURE_WINDOW = timedelta(hours=1)
#: Time to type the authenticator's code after the password.
PENDING_LIFETIME = timedelta(minutes=5)
REFUSAL = "the e-mail address, password or code is not right"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _wait_if_throttled(account: str, allowed: int) -> None:
    wait = await throttles.wait_growing(THROTTLE, account, allowed=allowed, window=FAILURE_WINDOW)
    if wait:
        raise TooManyAttempts(
            f"too many failed sign-ins; try again in {wait} seconds", retry_after=wait
        )


async def _refuse(account: str, user: dict | None) -> None:
    async with database.transaction():
        await throttles.count_failure(THROTTLE, account)
        await audit.note(
            "staff.sign_in_failed",
            actor_id=None,
            organisation_id=user["organisation"] if user else None,
            subject_id=user["id"] if user else None,
        )
    raise NotAuthenticated(REFUSAL)


async def check_password(*, email: str, password: str, allowed_failures: int) -> str:
    """The first step; returns the token of the pending sign-in (for a cookie)."""
    account = normalised_email(email)
    await _wait_if_throttled(account, allowed_failures)
    user = await User.select(User.id, User.organisation).where(User.email == account).first()
    credential = (
        await StaffCredential.select(StaffCredential.password_hash)
        .where(StaffCredential.user == user["id"])
        .first()
        if user
        else None
    )
    if not passwords.matches(credential and credential["password_hash"], password):
        await _refuse(account, user)
    token = secrets.token_urlsafe(32)
    await PendingSignIn(
        id=uuid.uuid4(),
        user=user["id"],
        token_hash=_hash(token),
        expires_at=clock.now() + PENDING_LIFETIME,
    ).save()
    return token


async def check_second_factor(*, pending: str, code: str, allowed_failures: int) -> str:
    """The second step; returns the new session's token. The pending record is used up
    whatever the outcome: a wrong code starts the sign-in over."""
    taken = (
        await PendingSignIn.delete()
        .where(PendingSignIn.token_hash == _hash(pending), PendingSignIn.expires_at > clock.now())
        .returning(PendingSignIn.user)
    )
    if not taken:
        raise NotAuthenticated(REFUSAL)
    user = (
        await User.select(User.id, User.organisation, User.email)
        .where(User.id == taken[0]["user"])
        .first()
    )
    account = user["email"] or ""
    await _wait_if_throttled(account, allowed_failures)
    credential = await StaffCredential.select().where(StaffCredential.user == user["id"]).first()
    by_recovery = False
    if credential is None:
        accepted = False
    elif await second_factor.accept_totp(credential, code):
        accepted = True
    else:
        accepted = by_recovery = await second_factor.accept_recovery_code(user["id"], code)
    if not accepted:
        await _refuse(account, user)
    async with database.transaction():
        token = await sessions.start(user["id"])
        await throttles.forget(THROTTLE, account)
        for action in ("staff.recovery_code_used", "staff.signed_in")[0 if by_recovery else 1 :]:
            await audit.note(
                action,
                actor_id=user["id"],
                organisation_id=user["organisation"],
                subject_id=user["id"],
            )
    return token


async def sign_out_everywhere(caller: Caller) -> int:
    """End every session of the caller, in every browser."""
    ended = await sessions.end_all(caller.user_id)
    await audit.note(
        "staff.signed_out_everywhere",
        actor_id=caller.user_id,
        organisation_id=caller.organisation_id,
        subject_id=caller.user_id,
    )
    return ended
