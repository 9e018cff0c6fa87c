"""The database engine the settings select, its transactions and its locks.

This module knows no table: every part of the domain writes through it, so it sits at the
bottom of the layers (see ``models/schema.py`` for the tables, their binding and migrations).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType

from models.errors import ConfigurationError
from models.settings import Settings
from models.sqlite_engine import PooledSQLiteEngine
from models.vault import private_folder

log = logging.getLogger(__name__)

#: A row as the driver gives it: column name to value.
Row = dict[str, Any]

#: Arbitrary constants naming PostgreSQL advisory locks; on SQLite a lock file beside the
#: database stands for each.
LOCKS = {
    #: Held shared by every server and jobs process; key rotation needs it alone.
    "in-use": 7_302_118_840,
    "migrate": 7_302_118_842,
    "followup-sweep": 7_302_118_901,
    "reflection-sweep": 7_302_118_902,
    "support-sweep": 7_302_118_903,
    "outcome-review-sweep": 7_302_118_904,
}


def create_engine(settings: Settings) -> Engine:
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.sqlite_path
    try:
        private_folder(path.parent)
        _private_files(path)
    except OSError as error:
        raise ConfigurationError(f"cannot create the data folder {path.parent}: {error}") from None
    return PooledSQLiteEngine(path=str(path), busy_timeout=settings.sqlite_busy_timeout)


def _private_files(path: Path) -> None:
    """The database file readable by its owner only; SQLite gives its WAL and shared-memory
    files the database file's mode."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for kept in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if kept.exists():
            os.chmod(kept, 0o600)


async def _end_any_transaction(connection) -> None:
    """What a pooled connection needs before its next use. asyncpg's default reset (unlock
    advisory locks, close cursors, unlisten, reset settings) is a round trip at every
    release, and these connections carry no such state: advisory locks are held on
    connections of their own (``lock``), settings are per transaction. A transaction left
    open (a task cancelled mid-way) is rolled back."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def open_engine(settings: Settings) -> Engine:
    engine = create_engine(settings)
    if isinstance(engine, PostgresEngine):
        # asyncpg keeps each connection's prepared statements (100 by default) across
        # uses: a statement the tracker sends again is not parsed and planned again.
        await engine.start_connection_pool(
            min_size=1, max_size=settings.postgres_pool_size, reset=_end_any_transaction
        )
    else:
        await engine.open()
    return engine


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close()


_engine: Engine | None = None


def use(engine: Engine) -> None:
    """The engine of this process (one per process; ``models.schema.bind`` calls this)."""
    global _engine
    _engine = engine


def current() -> Engine:
    """The engine every table is bound to."""
    if _engine is None:
        raise ConfigurationError("the database is not connected")
    return _engine


def uses_postgres() -> bool:
    return isinstance(current(), PostgresEngine)


async def is_ready() -> bool:
    """The database answers a trivial query."""
    try:
        await current().run_ddl("SELECT 1")
    except Exception:
        log.exception("database not ready")
        return False
    return True


def transaction():
    """A write transaction on the current engine (IMMEDIATE on SQLite)."""
    return current().transaction()


def for_update(query):
    """Lock the selected rows until the transaction ends. SQLite needs no row locks: its
    write transactions already exclude each other."""
    if uses_postgres():
        return query.lock_rows()
    return query


def row_lock() -> str:
    """The clause that ends a raw SELECT to lock its rows (see ``for_update``)."""
    return " FOR UPDATE" if uses_postgres() else ""


@contextlib.asynccontextmanager
async def snapshot() -> AsyncIterator[None]:
    """Reads that all see the database at one moment. For reading only."""
    engine = current()
    if isinstance(engine, PostgresEngine):
        async with engine.transaction():
            await engine.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        async with engine.transaction(transaction_type=TransactionType.deferred):
            yield


@contextlib.asynccontextmanager
async def lock(name: str, *, shared: bool = False, wait: bool = True) -> AsyncIterator[bool]:
    """Hold the lock ``name`` across every process on this database: a PostgreSQL advisory
    lock on a connection of its own, or a lock file beside the SQLite file. Shared holders
    exclude only an exclusive one. With ``wait`` it waits its turn and yields True; without,
    it yields False at once when the lock is taken."""
    engine = current()
    key = LOCKS[name]
    if isinstance(engine, PostgresEngine):
        kind = "_shared" if shared else ""
        connection = await engine.get_new_connection()
        try:
            if wait:
                await connection.execute(f"SELECT pg_advisory_lock{kind}($1)", key)
                got = True
            else:
                got = await connection.fetchval(f"SELECT pg_try_advisory_lock{kind}($1)", key)
            yield got
        finally:
            await connection.close()  # ends the session, and with it the lock
        return
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    descriptor = os.open(f"{engine.path}.{name}-lock", os.O_CREAT | os.O_RDWR, 0o600)
    with os.fdopen(descriptor) as handle:
        try:
            fcntl.flock(handle, mode if wait else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
