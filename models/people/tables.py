"""The tables of sign-in: enrolment codes, failed attempts, staff credentials, sessions."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
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


TABLES = [EnrolmentCode, EnrolmentClaim, FailedAttempt]
