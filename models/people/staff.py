"""Staff accounts: an invitation (a one-time link, 72 hours) to a welcome page where the
person sets a password, enrols an authenticator and receives ten recovery codes.

A new invitation replaces everything before it: the old password, authenticator, recovery
codes and sessions stop working at once (a lost authenticator, a departed colleague)."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from models import audit, clock, database, sealing
from models.errors import NotFound, RuleViolation
from models.organisations import Caller, Organisation, User
from models.people import passwords, second_factor, sessions
from models.people.coordinators import manageable_user
from models.people.tables import Invitation, RecoveryCode, StaffCredential

VALIDITY = timedelta(hours=72)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class IssuedInvitation:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Welcome:
    """What the welcome page shows: who is welcomed and the authenticator to enrol."""

    invitation_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    email: str
    organisation: str
    totp_secret: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalised_email(email: str) -> str:
    return email.strip().lower()


def welcome_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/console/welcome/{token}"


async def invite(
    *, caller: Caller | None, user_id: uuid.UUID, email: str, public_url: str
) -> IssuedInvitation:
    """A one-time welcome link for the user; ``caller`` None is the command line."""
    user = await manageable_user(caller, user_id)
    email = normalised_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise RuleViolation.on("email", "must be an e-mail address such as name@example.org")
    if await User.exists().where(User.email == email, User.id != user_id):
        raise RuleViolation.on("email", "belongs to another person")
    token = secrets.token_urlsafe(32)
    invitation_id = uuid.uuid4()
    now = clock.now()
    async with database.transaction():
        await User.update({User.email: email}).where(User.id == user_id)
        await _forget_credentials(user_id)
        await Invitation.delete().where(Invitation.user == user_id)
        await Invitation(
            id=invitation_id,
            user=user_id,
            token_hash=_hash(token),
            totp_secret=sealing.seal(
                Invitation, {"totp_secret": second_factor.new_secret()}, row_id=invitation_id
            )["totp_secret"],
            created_at=now,
            expires_at=now + VALIDITY,
            created_by=caller.user_id if caller else None,
        ).save()
        await audit.note(
            "staff.invited",
            actor_id=caller.user_id if caller else None,
            organisation_id=user["organisation"],
            subject_id=user_id,
        )
    return IssuedInvitation(welcome_link(public_url, token), now + VALIDITY)


async def _forget_credentials(user_id: uuid.UUID) -> None:
    await StaffCredential.delete().where(StaffCredential.user == user_id)
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await sessions.end_all(user_id)


async def welcome(token: str) -> Welcome:
    """The invitation a welcome link stands for, while it is unused and unexpired."""
    row = (
        await Invitation.select(
            Invitation.id,
            Invitation.user,
            Invitation.totp_secret,
            Invitation.user.name.as_alias("name"),
            Invitation.user.email.as_alias("email"),
            Invitation.user.organisation.as_alias("organisation_id"),
        )
        .where(
            Invitation.token_hash == _hash(token),
            Invitation.used_at.is_null(),
            Invitation.expires_at > clock.now(),
        )
        .first()
    )
    if row is None:
        raise NotFound("this welcome link does not work: it was used, has expired or is wrong")
    organisation = await Organisation.select(Organisation.name).where(
        Organisation.id == row["organisation_id"]
    )
    secret = sealing.open_value(Invitation, "totp_secret", row["totp_secret"], row_id=row["id"])
    return Welcome(
        invitation_id=row["id"],
        user_id=row["user"],
        name=row["name"],
        email=row["email"],
        organisation=organisation[0]["name"],
        totp_secret=secret or "",
    )


async def accept(*, token: str, password: str, password_again: str, code: str) -> list[str]:
    """Set the password and the authenticator; returns the ten recovery codes, to be shown
    once. The invitation is used up."""
    invited = await welcome(token)
    errors = []
    try:
        passwords.check_strength(password)
    except RuleViolation as error:
        errors += [(e.field, e.message) for e in error.errors]
    if password != password_again:
        errors.append(("password_again", "must be the same as the password"))
    if second_factor.matching_step(invited.totp_secret, code) is None:
        errors.append(("code", "is not the code your authenticator app shows now"))
    if errors:
        raise RuleViolation.many(errors)
    credential_id = uuid.uuid4()
    shown, recovery_rows = second_factor.new_recovery_codes(invited.user_id)
    async with database.transaction():
        used = (
            await Invitation.update({Invitation.used_at: clock.now()})
            .where(Invitation.id == invited.invitation_id, Invitation.used_at.is_null())
            .returning(Invitation.id)
        )
        if not used:
            raise NotFound("this welcome link does not work: it was used, has expired or is wrong")
        await _forget_credentials(invited.user_id)
        await StaffCredential(
            id=credential_id,
            user=invited.user_id,
            password_hash=passwords.hashed(password),
            totp_secret=sealing.seal(
                StaffCredential, {"totp_secret": invited.totp_secret}, row_id=credential_id
            )["totp_secret"],
            totp_last_step=second_factor.matching_step(invited.totp_secret, code),
            created_at=clock.now(),
        ).save()
        await RecoveryCode.insert(*recovery_rows)
        user = await User.select(User.organisation).where(User.id == invited.user_id).first()
        await audit.note(
            "staff.password_set",
            actor_id=invited.user_id,
            organisation_id=user["organisation"],
            subject_id=invited.user_id,
        )
    return shown
