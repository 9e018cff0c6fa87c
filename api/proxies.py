"""Who is really asking, behind a proxy: X-Forwarded-For and X-Forwarded-Proto are
believed only when they come from an address in TRACKER_TRUSTED_PROXIES."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any

from litestar.connection import ASGIConnection

from api.settings import settings_of
from models.settings import Settings


def _is_trusted(address: str, settings: Settings) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in settings.trusted_proxy_networks)


def _peer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    client = connection.scope.get("client")
    return client[0] if client else ""


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The address of the client: the peer, or behind trusted proxies the last address in
    X-Forwarded-For that is not one of them (the earlier ones the client could forge)."""
    settings = settings_of(connection)
    peer = _peer(connection)
    if not _is_trusted(peer, settings):
        return peer
    forwarded = [
        part.strip()
        for header in connection.headers.getall("x-forwarded-for", [])
        for part in header.split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if not _is_trusted(address, settings):
            return address
    return forwarded[0] if forwarded else peer


def came_over_https(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """The browser's request was https: directly, or as a trusted proxy says."""
    if connection.scope.get("scheme") == "https":
        return True
    settings = settings_of(connection)
    if not _is_trusted(_peer(connection), settings):
        return False
    proto = connection.headers.get("x-forwarded-proto", "")
    return proto.split(",")[0].strip().lower() == "https"
