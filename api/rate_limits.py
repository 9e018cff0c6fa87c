"""Requests per minute per token (Litestar's rate limiter), so one runaway phone or script
cannot starve the others. Over the limit: ``429`` with ``Retry-After``."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address


def token_of(request: Request[Any, Any, Any]) -> str:
    """The bearer token, hashed (the limiter's store never holds a token), else the address."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return hashlib.sha256(token.strip().encode()).hexdigest()
    return get_remote_address(request)


def config(per_minute: int) -> RateLimitConfig | None:
    if per_minute <= 0:
        return None
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        identifier_for_request=token_of,
        # The field app's files are static and cheap; a whole office may share one address.
        exclude=["/health", "/ready", "/schema", "^/app"],
    )
