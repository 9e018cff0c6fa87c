"""Delivering events to webhooks over one shared httpx client, signed with HMAC-SHA256 over
the timestamp and the body.

Each organisation's deliveries run apart from the others', a few at a time, and every
attempt ends within ``ATTEMPT_DEADLINE``: a receiver that accepts and never answers holds
up its own organisation's deliveries only. Each attempt connects to the address its
webhook's host was found to resolve to, and only to a public one (``addresses``); what it
records of a failure is coarse (a timeout, a refused connection, TLS, the HTTP status),
never the receiver's or the network's own words."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import ssl
import uuid

import httpx

from models import clock
from models.errors import ConfigurationError
from models.events import addresses, deliveries
from models.events.webhooks import secret_of
from models.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(5.0, connect=3.0)
#: However slowly a receiver trickles its answer, an attempt ends after this long.
ATTEMPT_DEADLINE = 10.0
#: Attempts in flight at once: in all, and for one organisation (its fair share).
IN_FLIGHT = 16
PER_ORGANISATION = 2
#: A run starts no new attempt after this long, so that it ends before the next one
#: (every 20 s) is due.
RUN_FOR = 10.0

#: What an attempt records when it could not be made or answered.
TIMEOUT_ERROR = "timeout"
REFUSED = "connection refused"
TLS_FAILED = "TLS failed"
CONNECTION_FAILED = "connection failed"
NOT_PUBLIC = "the host does not resolve to a public address"
UNSIGNED = "not sent: the webhook's secret does not open with the configured keys"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``: the timestamp is signed
    with the body, so that a receiver can refuse a replay."""
    signed = f"{timestamp}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def coarse(problem: httpx.HTTPError) -> str:
    """What kind of failure, in words of our own."""
    if isinstance(problem, httpx.TimeoutException):
        return TIMEOUT_ERROR
    causes = []
    cause: BaseException | None = problem
    while cause is not None and len(causes) < 10:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return TLS_FAILED
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return REFUSED
    return CONNECTION_FAILED


async def deliver_due(client: httpx.AsyncClient, *, trusted_hosts: frozenset[str]) -> int:
    """Plan deliveries of new events, then make the due attempts, each organisation's
    apart. Returns how many were delivered."""
    await deliveries.plan_deliveries()
    slots = asyncio.Semaphore(IN_FLIGHT)
    until = asyncio.get_running_loop().time() + RUN_FOR
    async with asyncio.TaskGroup() as group:
        runs = [
            group.create_task(_deliver_for(client, organisation, slots, until, trusted_hosts))
            for organisation in await deliveries.organisations_due()
        ]
    return sum(run.result() for run in runs)


async def _deliver_for(
    client: httpx.AsyncClient,
    organisation: uuid.UUID,
    slots: asyncio.Semaphore,
    until: float,
    trusted_hosts: frozenset[str],
) -> int:
    """One organisation's due deliveries, ``PER_ORGANISATION`` at a time, until none is due
    or the run's time is up."""
    delivered = 0
    try:
        while asyncio.get_running_loop().time() < until:
            batch = await deliveries.claim_due(organisation=organisation, limit=PER_ORGANISATION)
            if not batch:
                break
            done = await asyncio.gather(
                *(_attempt_in_turn(client, delivery, slots, trusted_hosts) for delivery in batch)
            )
            delivered += sum(done)
    except Exception:  # one organisation's trouble never stops the others
        log.exception("deliveries of organisation %s stopped", organisation)
    return delivered


async def _attempt_in_turn(
    client: httpx.AsyncClient, delivery: dict, slots: asyncio.Semaphore, trusted: frozenset[str]
) -> bool:
    async with slots:
        try:
            return await _attempt(client, delivery, trusted)
        except Exception:  # one broken delivery never stops the others
            log.exception("delivery %s failed", delivery["id"])
            return False


async def _attempt(client: httpx.AsyncClient, delivery: dict, trusted: frozenset[str]) -> bool:
    event = delivery["event"]
    try:
        async with asyncio.timeout(ATTEMPT_DEADLINE):
            status_code, error = await _send(client, delivery, trusted)
    except TimeoutError:
        status_code, error = None, TIMEOUT_ERROR
    outcome = await deliveries.record_attempt(delivery, status_code=status_code, error=error)
    log.info("delivery %s of event %s: %s", delivery["id"], event["type"], outcome)
    return outcome == "delivered"


async def _send(
    client: httpx.AsyncClient, delivery: dict, trusted: frozenset[str]
) -> tuple[int | None, str | None]:
    """One attempt: ``(status code, None)`` when the receiver answered, else
    ``(None, what went wrong)``."""
    event, webhook = delivery["event"], delivery["webhook"]
    try:
        secret = secret_of(webhook)
    except ConfigurationError:
        log.error("webhook %s: its secret does not open, the delivery is not sent", webhook["id"])
        return None, UNSIGNED
    try:
        target = await addresses.target_of(webhook["url"], trusted_hosts=trusted)
    except addresses.NotPublic:
        return None, NOT_PUBLIC
    body = deliveries.payload(event)
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "X-Tracker-Event-Id": str(event["id"]),
        "X-Tracker-Event-Type": event["type"],
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": signature(secret, timestamp, body),
        **target.headers,
    }
    try:
        response = await client.post(
            target.url, content=body, headers=headers, extensions=target.extensions
        )
    except httpx.HTTPError as problem:
        return None, coarse(problem)
    return response.status_code, None


_client: httpx.AsyncClient | None = None


def shared_client() -> httpx.AsyncClient:
    """The one client all deliveries share, with short timeouts and no redirects."""
    global _client  # one per process, like the engine
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    return _client


async def close_client() -> None:
    if _client is not None:
        await _client.aclose()


async def deliver(settings: Settings) -> int:
    return await deliver_due(shared_client(), trusted_hosts=settings.webhook_trusted_hosts)
