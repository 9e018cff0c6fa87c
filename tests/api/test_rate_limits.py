"""One token cannot starve the others: over its limit it gets 429 with Retry-After. Tokens
the tracker does not know share one bucket per client address, and buckets expire."""

import hashlib
import secrets
from datetime import timedelta

import httpx
from litestar import Litestar

from api import rate_limits
from api.app import create_app
from models.settings import Settings


def limited_to(settings: Settings, per_minute: int) -> Litestar:
    fields = {f: getattr(settings, f) for f in settings.__struct_fields__}
    return create_app(Settings(**{**fields, "rate_limit": per_minute}))


def client_of(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tracker.test")


async def test_a_token_over_its_limit_waits_and_others_go_on(
    settings: Settings, client, partner, other_partner
):
    async with client_of(limited_to(settings, 3)) as http:
        statuses = [
            (await http.get("/api/v1/me", headers=partner.headers)).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        refused = await http.get("/api/v1/me", headers=partner.headers)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) > 0
        assert (await http.get("/api/v1/me", headers=other_partner.headers)).status_code == 200
        assert (await http.get("/health")).status_code == 200


def _random_token() -> str:
    return f"trk_{secrets.token_urlsafe(32)}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _bucket(kind: str, value: str) -> str:
    """The key of a bucket in the limiter's store."""
    if kind == "token":
        value = hashlib.sha256(value.encode()).hexdigest()
    return f"RateLimitMiddleware::{kind}:{value}"


async def test_random_tokens_from_one_address_share_one_bucket(settings: Settings, client, partner):
    app = limited_to(settings, 3)
    tokens = [_random_token() for _ in range(5)]
    async with client_of(app) as http:
        statuses = [(await http.get("/api/v1/me", headers=_bearer(t))).status_code for t in tokens]
        assert statuses == [401, 401, 401, 429, 429]
        assert (await http.get("/api/v1/me")).status_code == 429, "no token: the same bucket"
        assert (await http.get("/api/v1/me", headers=partner.headers)).status_code == 200
    buckets = app.stores.get(rate_limits.BUCKETS)
    assert await buckets.exists(_bucket("address", "127.0.0.1"))
    assert await buckets.exists(_bucket("token", partner.token))
    for token in tokens:
        assert not await buckets.exists(_bucket("token", token)), "no bucket of its own"


async def test_buckets_expire_and_are_swept_from_the_store(
    settings: Settings, client, partner, other_partner, clock
):
    app = limited_to(settings, 3)
    buckets = app.stores.get(rate_limits.BUCKETS)
    async with client_of(app) as http:
        await http.get("/api/v1/me", headers=_bearer(_random_token()))
        await http.get("/api/v1/me", headers=partner.headers)
        assert await buckets.exists(_bucket("address", "127.0.0.1"))
        assert await buckets.exists(_bucket("token", partner.token))

        clock.move_to(clock.now() + timedelta(minutes=2))
        assert (await http.get("/api/v1/me", headers=other_partner.headers)).status_code == 200
    assert not await buckets.exists(_bucket("address", "127.0.0.1"))
    assert not await buckets.exists(_bucket("token", partner.token))
    assert await buckets.exists(_bucket("token", other_partner.token))
