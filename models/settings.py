"""The tracker's settings: one typed object, read from the environment in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

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
    #: Hosts webhooks may reach over plain http:// (comma-separated; e.g. a local relay).
    webhook_http_hosts: str = ""
    #: Completed cases that must share a story's country, year and exploitation.
    story_min_cohort: int = 3
    #: Years after a case is closed or cancelled before its personal data is erased.
    retention_years: int = 5
    #: Requests a minute per token; 0 turns the limit off (e.g. for load tests).
    rate_limit: int = 600
    log_level: str = "INFO"
    #: Serve the field app from this folder instead of the package's own files (a copy
    #: with, say, another language's catalogue added).
    field_app_dir: Path | None = None

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def webhook_plain_http_hosts(self) -> frozenset[str]:
        return frozenset(h.strip() for h in self.webhook_http_hosts.split(",") if h.strip())

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
        if not (settings.uses_postgres or settings.database_url.startswith("sqlite:///")):
            raise ConfigurationError(
                "TRACKER_DATABASE_URL must start with sqlite:/// or postgresql://"
            )
        return settings
