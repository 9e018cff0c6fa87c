"""The tracker's settings: one typed object, read from the environment in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated

import msgspec

from models.errors import ConfigurationError


def _paths(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    #: ``sqlite:///path/to/file.sqlite`` or ``postgresql://user:password@host:port/db``.
    database_url: str = "sqlite:///data/tracker.sqlite"
    #: Where the embedded database, keys and uploaded receipts live.
    data_dir: Path = Path("data")
    #: Largest JSON request body accepted, in bytes.
    max_json_body: int = 1024 * 1024
    #: Seconds a SQLite writer waits for another process's write lock.
    sqlite_busy_timeout: float = 30.0
    #: Connections in the PostgreSQL pool of one process.
    postgres_pool_size: int = 10
    #: Key(s) sealing personal data, base64url, comma-separated, newest first. Unset: a key
    #: file in the data folder, made on first start.
    data_key: str | None = None
    #: Days after a month of support ends before its missing report is overdue.
    report_grace_days: int = 7
    #: Largest receipt accepted, in bytes.
    max_attachment_size: int = 5 * 1024 * 1024
    #: Hosts the operator trusts (comma-separated; e.g. a relay on the local network):
    #: webhooks may reach them over plain http:// and at internal addresses.
    webhook_http_hosts: str = ""
    #: Completed cases that must share a story's country, year and exploitation.
    story_min_cohort: int = 3
    #: Years after a case is closed or cancelled before its personal data is erased.
    retention_years: int = 5
    #: Requests a minute per token; 0 turns the limit off (e.g. for load tests).
    rate_limit: int = 600
    log_level: str = "INFO"
    #: Where phones and browsers reach the service; links (enrolment, invitations) start
    #: with it. In the field it must be https:// (service workers need a secure origin).
    public_url: str = "http://127.0.0.1:8000"
    #: Addresses or networks (comma-separated, e.g. ``10.0.0.5,192.168.0.0/24``) of proxies
    #: whose X-Forwarded-For and X-Forwarded-Proto are believed.
    trusted_proxies: str = ""
    #: Minutes a console session lives without a request; a fraction is allowed (``0.5`` is
    #: thirty seconds, for a kiosk, say, or a test).
    session_idle_minutes: Annotated[float, msgspec.Meta(gt=0)] = 30
    #: Hours a console session lives at most, however busy.
    session_absolute_hours: int = 12
    #: Wrong enrolment codes one address may send within the window before it waits.
    enrolment_failures_allowed: int = 10
    #: Seconds over which wrong enrolment codes are counted.
    enrolment_failure_window: int = 900
    #: Failed sign-ins of one account before each further attempt waits, longer each time.
    sign_in_failures_allowed: int = 5
    #: Serve the field app from this folder instead of the package's own files (a copy
    #: with, say, another language's catalogue added).
    field_app_dir: Path | None = None

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def webhook_trusted_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.webhook_http_hosts.split(",") if h.strip())

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(
            ip_network(part.strip(), strict=False)
            for part in self.trusted_proxies.split(",")
            if part.strip()
        )

    @property
    def sqlite_path(self) -> Path:
        """The database file named by a ``sqlite:///`` URL (relative to the working folder)."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``TRACKER_*`` variables; unset ones keep their defaults."""
        environ = os.environ if environ is None else environ
        prefix = "TRACKER_"
        raw = {
            name: environ[prefix + name.upper()]
            for name in cls.__struct_fields__
            if prefix + name.upper() in environ
        }
        if "data_dir" in raw and "database_url" not in raw:
            raw["database_url"] = f"sqlite:///{Path(raw['data_dir']) / 'tracker.sqlite'}"
        try:
            settings = msgspec.convert(raw, cls, strict=False, dec_hook=_paths)
        except msgspec.ValidationError as error:
            raise ConfigurationError(f"invalid setting: {error}") from None
        try:
            settings.trusted_proxy_networks  # noqa: B018 - refuse a bad list at start
        except ValueError:
            raise ConfigurationError(
                "TRACKER_TRUSTED_PROXIES must list IP addresses or networks, comma-separated"
            ) from None
        if not settings.public_url.startswith(("https://", "http://")):
            raise ConfigurationError("TRACKER_PUBLIC_URL must start with https:// or http://")
        if not (settings.uses_postgres or settings.database_url.startswith("sqlite:///")):
            raise ConfigurationError(
                "TRACKER_DATABASE_URL must start with sqlite:/// or postgresql://"
            )
        return settings
