"""The tables of sign-in: enrolment codes, failed attempts, staff credentials, sessions."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, ForeignKey, Text, Timestamptz, Varchar
from piccolo.table import Table

from models.organisations import ApiToken, User


class EnrolmentCode(Table):
    """A one-time code a phone exchanges for a token of its own."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, index=True)
    #: SHA-256 of the code: the code is shown once and never stored.
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    #: Who made it (a coordinator); null when made at the command line.
    created_by = UUID(null=True, default=None)


class EnrolmentClaim(Table):
    """The phone that used a code. One per code: the unique key decides a race."""

    id = UUID(primary_key=True)
    code = ForeignKey(references=EnrolmentCode, null=False, unique=True)
    #: SHA-256 of the key the app made, to recognise its retry.
    device_key_hash = Varchar(length=64)
    claimed_at = Timestamptz()
    #: The token last given for the code; a retry revokes it and gives another.
    token = ForeignKey(references=ApiToken, null=True, default=None)


class FailedAttempt(Table):
    """A wrong code or a failed sign-in, counted to slow guessing down across processes."""

    id = UUID(primary_key=True)
    #: ``enrolment`` (by client address) or ``sign_in`` (by account).
    scope = Varchar(length=20)
    #: SHA-256 of the address or the e-mail address counted against.
    subject_hash = Varchar(length=64, index=True)
    at = Timestamptz(index=True)


class Invitation(Table):
    """A one-time link to the welcome page, where a staff member sets their credentials."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, index=True)
    #: SHA-256 of the link's token: the link is shown once and never stored.
    token_hash = Varchar(length=64, unique=True)
    #: The authenticator secret offered on the welcome page, sealed to this invitation.
    totp_secret = Text(secret=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_by = UUID(null=True, default=None)


class StaffCredential(Table):
    """A staff member's password and authenticator; replaced as a whole by a new welcome."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, unique=True)
    #: argon2id, with its parameters and salt.
    password_hash = Varchar(length=200)
    #: The TOTP secret, sealed with the data key and bound to this row.
    totp_secret = Text(secret=True)
    #: The last 30-second step whose code was accepted: a code works once.
    totp_last_step = BigInt(null=True, default=None)
    created_at = Timestamptz()


class RecoveryCode(Table):
    """One of ten codes that stand in for the authenticator, each once."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, index=True)
    #: The code's first group, in clear, to find the one hash to check.
    selector = Varchar(length=8, index=True)
    #: argon2id of the whole code.
    code_hash = Varchar(length=200)
    used_at = Timestamptz(null=True, default=None)


class PendingSignIn(Table):
    """Between the password and the second factor: short-lived, used once, no session."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False)
    #: SHA-256 of the cookie that carries it.
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()


class ConsoleSession(Table):
    """A signed-in browser. Stored here, so every process sees it and signing out ends it
    everywhere."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, index=True)
    #: SHA-256 of the session cookie.
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


TABLES = [
    EnrolmentCode,
    EnrolmentClaim,
    FailedAttempt,
    Invitation,
    StaffCredential,
    RecoveryCode,
    PendingSignIn,
    ConsoleSession,
]
