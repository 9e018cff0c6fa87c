"""Phones enrol with a one-time code: an office makes the code, the phone exchanges it for
a token of its own. A retry after a lost answer works for 15 minutes; guessing is slowed
per client address."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from models import audit, clock, database
from models.errors import NotFound, RuleViolation, TooManyAttempts
from models.organisations import ApiToken, Caller, Organisation, User, issue_token
from models.people import codes, throttles
from models.people.coordinators import manageable_user
from models.people.tables import EnrolmentClaim, EnrolmentCode

DEFAULT_VALIDITY = timedelta(hours=24)
LONGEST_VALIDITY = timedelta(days=30)
#: A phone that lost the answer may send the same code and device key again this long.
RETRY_WINDOW = timedelta(minutes=15)
THROTTLE = "enrolment"


@dataclass(frozen=True)
class IssuedCode:
    code: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Enrolled:
    token: str
    device_id: uuid.UUID
    user: dict
    organisation: dict


def link(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/app/#enrol={code}"


async def issue_code(
    *,
    caller: Caller | None,
    user_id: uuid.UUID,
    public_url: str,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> IssuedCode:
    """A one-time code for one of the user's phones; ``caller`` None is the command line."""
    if not timedelta(0) < valid_for <= LONGEST_VALIDITY:
        raise RuleViolation.on("hours", "must be more than 0 and at most 720")
    user = await manageable_user(caller, user_id)
    code = codes.new_code(groups=3)
    now = clock.now()
    async with database.transaction():
        await EnrolmentCode(
            id=uuid.uuid4(),
            user=user_id,
            code_hash=codes.hashed(code),
            created_at=now,
            expires_at=now + valid_for,
            created_by=caller.user_id if caller else None,
        ).save()
        await audit.note(
            "enrolment_code.issued",
            actor_id=caller.user_id if caller else None,
            organisation_id=user["organisation"],
            subject_id=user_id,
        )
    return IssuedCode(code=code, url=link(public_url, code), expires_at=now + valid_for)


def _key_hash(device_key: str) -> str:
    return hashlib.sha256(device_key.encode()).hexdigest()


async def _refuse(address: str, code: dict | None, organisation_id: uuid.UUID | None) -> NoReturn:
    async with database.transaction():
        await throttles.count_failure(THROTTLE, address)
        await audit.note(
            "device.enrolment_failed",
            actor_id=None,
            organisation_id=organisation_id,
            subject_id=code["user"] if code else None,
        )
    raise NotFound("no such enrolment code, or it was used or has expired")


async def enrol(
    *,
    code: str,
    device: str,
    device_key: str,
    client_address: str,
    failures_allowed: int,
    failure_window: timedelta,
) -> Enrolled:
    """Exchange a code for a token. Unknown, used and expired codes are refused alike;
    the same code and device key within RETRY_WINDOW gets a fresh token and revokes the
    one given before."""
    wait = await throttles.wait_for_window(
        THROTTLE, client_address, allowed=failures_allowed, window=failure_window
    )
    if wait:
        raise TooManyAttempts("too many wrong enrolment codes; try again later", retry_after=wait)
    now = clock.now()
    stored = (
        await EnrolmentCode.select(
            EnrolmentCode.all_columns(),
            EnrolmentCode.user.organisation.as_alias("organisation_id"),
        )
        .where(EnrolmentCode.code_hash == codes.hashed(code))
        .first()
    )
    if stored is None or stored["expires_at"] <= now:
        await _refuse(client_address, stored, stored and stored["organisation_id"])
    key_hash = _key_hash(device_key)
    async with database.transaction():
        claimed = (
            await EnrolmentClaim.insert(
                EnrolmentClaim(
                    id=uuid.uuid4(), code=stored["id"], device_key_hash=key_hash, claimed_at=now
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(EnrolmentClaim.id)
        )
        if claimed:
            enrolled = await _give_token(stored, device, claimed[0]["id"], retry_of=None)
        else:
            claim = await database.for_update(
                EnrolmentClaim.select().where(EnrolmentClaim.code == stored["id"])
            ).first()
            if claim["device_key_hash"] == key_hash and now - claim["claimed_at"] <= RETRY_WINDOW:
                enrolled = await _give_token(stored, device, claim["id"], retry_of=claim["token"])
            else:
                enrolled = None
    if enrolled is None:
        await _refuse(client_address, stored, stored["organisation_id"])
    return enrolled


async def _give_token(
    code: dict, device: str, claim_id: uuid.UUID, *, retry_of: uuid.UUID | None
) -> Enrolled:
    device_id = uuid.uuid4()
    token = await issue_token(user_id=code["user"], device_name=device, token_id=device_id)
    if retry_of is not None:
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(
            ApiToken.id == retry_of, ApiToken.revoked_at.is_null()
        )
    await EnrolmentClaim.update({EnrolmentClaim.token: device_id}).where(
        EnrolmentClaim.id == claim_id
    )
    user = await User.select(User.id, User.name).where(User.id == code["user"]).first()
    organisation = (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.kind)
        .where(Organisation.id == code["organisation_id"])
        .first()
    )
    await audit.note(
        "device.enrolled" if retry_of is None else "device.enrolment_retried",
        actor_id=code["user"],
        organisation_id=code["organisation_id"],
        subject_id=device_id,
    )
    return Enrolled(token=token, device_id=device_id, user=user, organisation=organisation)
