"""Webhooks reach the public internet only.

A webhook's host must resolve to public addresses: loopback, private, link-local,
multicast, reserved and unspecified addresses are refused, in IPv4 and IPv6, an IPv4
address carried inside an IPv6 one too. The URL is checked when the webhook is registered
and again at every delivery, which then connects to the very address it checked, keeping
the host name for ``Host`` and TLS: a name can be re-pointed at an internal address
between a check and a connection.

Hosts the operator trusts (``TRACKER_WEBHOOK_HTTP_HOSTS``: a relay on the local network,
the tests' receiver) are exempt from the check, and may be reached over plain http://.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx

from models.errors import RuleViolation

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Resolving a host name gives up after this long.
RESOLVE_TIMEOUT = 5.0
#: The same for every host that is not public, so that registering a webhook tells
#: nothing of the internal network (whether a name resolves, or to what).
NOT_PUBLIC = "must be an https:// URL whose host resolves to public internet addresses"


class NotPublic(Exception):
    """The host does not resolve, or resolves to an address that is not public."""


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        # 6to4 routes to the IPv4 address it carries.
        if address.sixtofour is not None and not is_public(address.sixtofour):
            return False
        if address.is_site_local:
            return False
    return address.is_global and not (address.is_multicast or address.is_reserved)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address literal resolves to itself)."""
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
    )
    return [ipaddress.ip_address(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: the URL to connect to, and what keeps the host's name."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def _parsed(url: str, trusted_hosts: frozenset[str]) -> httpx.URL | None:
    """The URL when its scheme is allowed for its host, else None."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return None
    if not parsed.host:
        return None
    if parsed.scheme == "https" or (parsed.scheme == "http" and parsed.host in trusted_hosts):
        return parsed
    return None


async def target_of(url: str, *, trusted_hosts: frozenset[str]) -> Target:
    """Where to deliver to ``url``: a public address its host resolves to, now."""
    parsed = _parsed(url, trusted_hosts)
    if parsed is None:
        raise NotPublic("not an allowed URL")
    if parsed.host in trusted_hosts:
        return Target(url=parsed)
    try:
        addresses = await resolve(parsed.host, parsed.port or 443)
    except (OSError, TimeoutError, UnicodeError, ValueError):
        raise NotPublic("the host does not resolve") from None
    if not addresses or not all(is_public(address) for address in addresses):
        raise NotPublic("the host resolves to an address that is not public")
    return Target(
        url=parsed.copy_with(host=str(addresses[0])),
        headers={"Host": parsed.netloc.decode("ascii")},
        extensions={"sni_hostname": parsed.raw_host.decode("ascii")},
    )


async def check_url(url: str, *, trusted_hosts: frozenset[str]) -> None:
    """Refuse (on ``url``) a webhook URL that is not https:// or whose host is not public."""
    if _parsed(url, trusted_hosts) is None:
        raise RuleViolation.on("url", "must be an https:// URL")
    try:
        await target_of(url, trusted_hosts=trusted_hosts)
    except NotPublic:
        raise RuleViolation.on("url", NOT_PUBLIC) from None
