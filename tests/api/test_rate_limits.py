"""One token cannot starve the others: over its limit it gets 429 with Retry-After."""

import httpx

from api.app import create_app
from models.settings import Settings


async def test_a_token_over_its_limit_waits_and_others_go_on(
    settings: Settings, client, partner, other_partner
):
    limited = Settings(
        **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "rate_limit": 3}
    )
    transport = httpx.ASGITransport(app=create_app(limited))
    async with httpx.AsyncClient(transport=transport, base_url="http://tracker.test") as http:
        statuses = [
            (await http.get("/api/v1/me", headers=partner.headers)).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        refused = await http.get("/api/v1/me", headers=partner.headers)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) > 0
        assert (await http.get("/api/v1/me", headers=other_partner.headers)).status_code == 200
        assert (await http.get("/health")).status_code == 200
