"""Requests per minute (Litestar's rate limiter), so one runaway phone or script cannot
starve the others. Over the limit: ``429`` with ``Retry-After``.

A token the tracker knows has a bucket of its own. Requests without a token, or with one
it does not know, share one bucket per client address: random tokens never make fresh
buckets. Buckets expire with their minute, and expired ones are swept from the store
(Litestar's ``MemoryStore`` only forgets a key when it is read again)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.stores.memory import MemoryStore

from models import clock
from models.errors import NotAuthenticated
from models.organisations import authenticate

#: The store of the buckets, and the store of tokens found to be known (by hash).
BUCKETS = "rate_limit"
KNOWN_TOKENS = "rate_limit_known_tokens"
#: A token that authenticated is not looked up again for this long.
KNOWN_FOR = timedelta(minutes=5)
SWEEP_EVERY = timedelta(minutes=1)


async def _known_token(request: Request[Any, Any, Any]) -> str | None:
    """The hash of the request's bearer token, when the token authenticates (the stores
    never hold a token). A known token is not looked up again for ``KNOWN_FOR``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    token_hash = hashlib.sha256(token.strip().encode()).hexdigest()
    known = request.app.stores.get(KNOWN_TOKENS)
    if await known.get(token_hash) is not None:
        return token_hash
    try:
        await authenticate(token.strip())
    except NotAuthenticated:
        return None
    await known.set(token_hash, b"1", expires_in=KNOWN_FOR)
    return token_hash


class Buckets:
    """Chooses each request's bucket, and sweeps expired buckets now and then."""

    def __init__(self) -> None:
        self.next_sweep: datetime | None = None

    async def choose(self, request: Request[Any, Any, Any]) -> bool:
        """Litestar awaits this before it takes a request's bucket: the one moment a token
        can be looked up. Every request is limited, so the answer is always yes."""
        await self._sweep(request)
        known = await _known_token(request)
        address = get_remote_address(request)
        request.state.rate_limit_bucket = f"token:{known}" if known else f"address:{address}"
        return True

    async def _sweep(self, request: Request[Any, Any, Any]) -> None:
        now = clock.now()
        if self.next_sweep is not None and now < self.next_sweep:
            return
        self.next_sweep = now + SWEEP_EVERY
        for name in (BUCKETS, KNOWN_TOKENS):
            await request.app.stores.get(name).delete_expired()


def stores() -> dict[str, MemoryStore]:
    """The limiter's stores, in the memory of each app (the limit is per process)."""
    return {BUCKETS: MemoryStore(), KNOWN_TOKENS: MemoryStore()}


def bucket_of(request: Request[Any, Any, Any]) -> str:
    return request.state.rate_limit_bucket


def config(per_minute: int) -> RateLimitConfig | None:
    if per_minute <= 0:
        return None
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        identifier_for_request=bucket_of,
        check_throttle_handler=Buckets().choose,
        store=BUCKETS,
        # The field app's files are static and cheap; a whole office may share one address.
        exclude=["/health", "/ready", "/schema", "^/app"],
    )
