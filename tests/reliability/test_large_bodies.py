"""A body as large as the limit allows, made of as many keys as fit, is answered at once by
the real server, and the server answers everyone else meanwhile: reading a body is linear
in its size, whatever it holds."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from models.organisations import OrganisationKind
from models.settings import Settings
from tests.conftest import make_member
from tests.reliability.server import Server

#: Generous bounds: a guard against work that grows with the square of the body, not a
#: benchmark (the body takes some 30 ms to read).
ANSWERED_WITHIN = 1.0
HEALTH_WITHIN = 0.5


def many_keys(size: int) -> bytes:
    """A JSON object of distinct keys filling ``size`` bytes, its first key repeated last."""
    keys = []
    used = 2
    while used < size - 40:
        keys.append(f'"k{len(keys):07d}":1')
        used += len(keys[-1]) + 1
    return ("{" + ",".join(keys) + ',"k0000000":2}').encode()


async def test_a_body_of_repeated_keys_as_large_as_allowed_is_refused_at_once(
    settings: Settings, db, tmp_path: Path
):
    partner = await make_member(OrganisationKind.partner)
    body = many_keys(settings.max_json_body)
    assert len(body) <= settings.max_json_body
    server = Server(settings, tmp_path)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
            health: list[float] = []
            answered = asyncio.Event()

            async def keep_asking_for_health() -> None:
                while not answered.is_set():
                    asked = time.perf_counter()
                    assert (await http.get("/health")).status_code == 200
                    health.append(time.perf_counter() - asked)
                    await asyncio.sleep(0.01)

            asking = asyncio.create_task(keep_asking_for_health())
            sent = time.perf_counter()
            response = await http.post(
                "/api/v1/webhooks",
                content=body,
                headers={**partner.headers, "Content-Type": "application/json"},
            )
            took = time.perf_counter() - sent
            answered.set()
            await asking
    finally:
        await server.stop()
    assert response.status_code == 400, response.text
    assert "more than once" in response.json()["detail"]
    assert len(response.content) < 1000, "the refusal names a few keys, not thousands"
    assert took < ANSWERED_WITHIN
    assert health and max(health) < HEALTH_WITHIN
