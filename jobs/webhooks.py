"""Delivering events to webhooks over one shared httpx client, signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import httpx

from models.events import deliveries
from models.events.webhooks import secret_of
from models.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def deliver_due(client: httpx.AsyncClient) -> int:
    """Plan deliveries of new events, then make every due attempt once. Returns how many
    were delivered."""
    await deliveries.plan_deliveries()
    delivered = 0
    for delivery in await deliveries.claim_due():
        try:
            delivered += await _attempt(client, delivery)
        except Exception:  # one broken delivery never stops the others
            log.exception("delivery %s failed", delivery["id"])
    return delivered


async def _attempt(client: httpx.AsyncClient, delivery: dict) -> bool:
    event, webhook = delivery["event"], delivery["webhook"]
    body = deliveries.payload(event)
    headers = {
        "Content-Type": "application/json",
        "X-Tracker-Event-Id": str(event["id"]),
        "X-Tracker-Event-Type": event["type"],
        "X-Tracker-Timestamp": str(int(time.time())),
        "X-Tracker-Signature": signature(secret_of(webhook), body),
    }
    try:
        response = await client.post(webhook["url"], content=body, headers=headers)
        status_code, error = (
            response.status_code,
            None if response.is_success else response.reason_phrase,
        )
    except httpx.HTTPError as problem:
        status_code, error = None, f"{type(problem).__name__}: {problem}"[:500]
    outcome = await deliveries.record_attempt(delivery, status_code=status_code, error=error)
    log.info("delivery %s of event %s: %s", delivery["id"], event["type"], outcome)
    return outcome == "delivered"


_client: httpx.AsyncClient | None = None


def shared_client() -> httpx.AsyncClient:
    """The one client all deliveries share, with explicit timeouts and no redirects."""
    global _client  # one per process, like the engine
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    return _client


async def close_client() -> None:
    if _client is not None:
        await _client.aclose()


async def deliver(settings: Settings) -> int:
    return await deliver_due(shared_client())
