"""Organisations, their users and the users' API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

import pycountry
from piccolo.columns import UUID, Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

from models import clock
from models.errors import NotAuthenticated, NotFound, RuleViolation, TokenExpired, TokenRevoked

TOKEN_PREFIX = "trk_"  # noqa: S105 - a visible marker, not a secret
#: A phone's token unused this long stops working; the phone enrols again.
DEVICE_IDLE_EXPIRY = timedelta(days=90)
#: Last-seen is written at most this often, so that reads do not all become writes.
LAST_SEEN_PRECISION = timedelta(hours=1)


class OrganisationKind(StrEnum):
    authority = "authority"  #: Udlændingestyrelsen: opens cases without legal residence
    centre = "centre"  #: CMM: opens cases with legal residence, plans, stories
    return_org = "return_org"  #: IOM: departure, arrival, approvals
    partner = "partner"  #: an NGO in the origin country: reports and payments


class Organisation(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    kind = Varchar(length=20, choices=OrganisationKind)
    #: ISO 3166-1 alpha-2 code of the country the organisation works in.
    country = Varchar(length=2)
    created_at = Timestamptz()


class User(Table, tablename="tracker_user"):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    name = Varchar(length=200)
    created_at = Timestamptz()
    #: Manages the people and devices of their own organisation.
    is_coordinator = Boolean(default=False)
    #: Where a staff member signs in to the console (lower case); null for phone users.
    email = Varchar(length=254, null=True, default=None)  # unique: see the migrations
    #: The language of the person's pages: ``da`` or ``en``.
    language = Varchar(length=5, default="da")


class ApiToken(Table):
    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, index=True)
    #: SHA-256 of the token: the token itself is shown once and never stored.
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    #: The phone's own name for itself (e.g. "Tecno Spark 10"); null for a script's token.
    device_name = Varchar(length=100, null=True, default=None)
    #: A phone's token expires when unused for DEVICE_IDLE_EXPIRY (about an hour precise).
    last_seen_at = Timestamptz(null=True, default=None)


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_organisation(*, name: str, kind: str, country: str) -> Organisation:
    errors = []
    if kind not in OrganisationKind._value2member_map_:
        allowed = ", ".join(OrganisationKind._value2member_map_)
        errors.append(("kind", f"must be one of {allowed}"))
    if not is_country(country):
        errors.append(("country", "must be an ISO 3166-1 alpha-2 code such as NG"))
    if not name.strip():
        errors.append(("name", "must not be empty"))
    if errors:
        raise RuleViolation.many(errors)
    organisation = Organisation(
        id=uuid.uuid4(), name=name.strip(), kind=kind, country=country, created_at=clock.now()
    )
    await organisation.save()
    return organisation


async def list_organisations() -> list[Organisation]:
    return await Organisation.objects().order_by(Organisation.name)


async def names_of(ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """The names of these organisations, as their staff name them."""
    wanted = {found for found in ids if found is not None}
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(list(wanted))
    )
    return {row["id"]: row["name"] for row in rows}


async def add_user(
    *,
    organisation_id: uuid.UUID,
    name: str,
    valid_for: timedelta | None = None,
    coordinator: bool = False,
) -> tuple[User, str]:
    """Create a user and its first token; the token is returned once, in clear."""
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound("no such organisation")
    if not name.strip():
        raise RuleViolation.on("name", "must not be empty")
    user = User(
        id=uuid.uuid4(),
        organisation=organisation_id,
        name=name.strip(),
        created_at=clock.now(),
        is_coordinator=coordinator,
    )
    async with Organisation._meta.db.transaction():
        await user.save()
        token = await issue_token(user_id=user.id, valid_for=valid_for)
    return user, token


async def issue_token(
    *,
    user_id: uuid.UUID,
    valid_for: timedelta | None = None,
    device_name: str | None = None,
    token_id: uuid.UUID | None = None,
) -> str:
    """A new token, returned once in clear. A phone's token names its device and counts
    its last use from now."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 bits from the OS's CSPRNG
    created = clock.now()
    await ApiToken(
        id=token_id or uuid.uuid4(),
        user=user_id,
        token_hash=_hash(token),
        created_at=created,
        expires_at=created + valid_for if valid_for else None,
        device_name=device_name,
        last_seen_at=created if device_name is not None else None,
    ).save()
    return token


async def revoke_token(token: str) -> bool:
    """Revoke a token; False when no live token matches."""
    revoked = (
        await ApiToken.update({ApiToken.revoked_at: clock.now()})
        .where(ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_null())
        .returning(ApiToken.id)
    )
    return bool(revoked)


class Caller:
    """Who is making a request: a user acting for an organisation of one kind."""

    __slots__ = ("kind", "organisation_id", "token_id", "user_id")

    def __init__(
        self,
        user_id: uuid.UUID,
        organisation_id: uuid.UUID,
        kind: OrganisationKind,
        token_id: uuid.UUID | None = None,
    ):
        self.user_id = user_id
        self.organisation_id = organisation_id
        self.kind = kind
        #: The token the request came with; None when signed in to the console.
        self.token_id = token_id


#: Every request runs this: one fixed statement, without the query builder's cost.
_CALLER_OF_TOKEN = (
    "SELECT u.id AS user_id, o.id AS organisation_id, o.kind, t.id AS token_id, "  # noqa: S608 - table names only
    "t.expires_at, t.revoked_at, t.device_name, t.last_seen_at "
    f"FROM {ApiToken._meta.tablename} t "
    f"JOIN {User._meta.tablename} u ON u.id = t.{ApiToken.user._meta.db_column_name} "
    f"JOIN {Organisation._meta.tablename} o ON o.id = u.{User.organisation._meta.db_column_name} "
    "WHERE t.token_hash = {}"
)


async def authenticate(token: str) -> Caller:
    """The caller a bearer token stands for. The token is looked up by its hash, so the
    comparison never runs over the secret itself."""
    rows = await ApiToken.raw(_CALLER_OF_TOKEN, _hash(token))
    if not rows:
        raise NotAuthenticated("unknown token")
    row = rows[0]
    now = clock.now()
    if row["revoked_at"] is not None:
        raise TokenRevoked("this token was revoked")
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise TokenExpired("this token has expired")
    if row["device_name"] is not None:
        if row["last_seen_at"] + DEVICE_IDLE_EXPIRY <= now:
            raise TokenExpired("this device was not used for 90 days; enrol it again")
        if row["last_seen_at"] + LAST_SEEN_PRECISION <= now:
            await ApiToken.update({ApiToken.last_seen_at: now}).where(
                ApiToken.id == row["token_id"]
            )
    return Caller(
        row["user_id"], row["organisation_id"], OrganisationKind(row["kind"]), row["token_id"]
    )
