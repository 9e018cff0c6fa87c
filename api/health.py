"""Liveness and readiness, outside the authenticated API."""

from litestar import get
from litestar.response import Response

from models import database


@get("/health", tags=["health"], sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/ready", tags=["health"])
async def ready() -> Response[dict[str, str]]:
    """The database answers."""
    if await database.is_ready():
        return Response({"status": "ready"})
    return Response({"status": "database unreachable"}, status_code=503)
