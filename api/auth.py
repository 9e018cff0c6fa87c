"""Bearer-token authentication and the guards that say who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from models.errors import Forbidden, NotAuthenticated
from models.organisations import Caller, OrganisationKind, authenticate

#: The caller of a route, as handlers declare it.
CurrentCaller = NamedDependency[Caller]

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


class BearerTokenAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("send Authorization: Bearer <token>")
        return AuthenticationResult(user=await authenticate(token.strip()), auth=None)


def requires_kind(*kinds: OrganisationKind) -> Guard:
    """Only users of organisations of these kinds may call the route."""
    allowed = frozenset(kinds)
    names = " or ".join(kind.value for kind in kinds)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        caller: Caller = connection.user
        if caller.kind not in allowed:
            raise Forbidden(f"only an organisation of kind {names} may do this")

    guard.__name__ = "requires_" + "_or_".join(kind.value for kind in kinds)
    guard.kinds = allowed  # type: ignore[attr-defined]  # read by the reach tests
    return guard


def provide_caller(request: Request[Caller, Any, Any]) -> Caller:
    return request.user
