"""Who the token belongs to: lets a phone check its token before going offline."""

import uuid

import msgspec
from litestar import get

from api.auth import CurrentCaller


class Me(msgspec.Struct):
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: str


@get("/me", tags=["me"], sync_to_thread=False)
def me(caller: CurrentCaller) -> Me:
    return Me(
        user_id=caller.user_id, organisation_id=caller.organisation_id, kind=caller.kind.value
    )
