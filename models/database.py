"""The database engine the settings select, bound to every table, and its migrations."""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType

from models import piccolo_conf
from models.errors import ConfigurationError
from models.piccolo_app import APP_CONFIG
from models.settings import Settings
from models.sqlite_engine import PooledSQLiteEngine

# Piccolo's migration runner looks its engine up through this module (see piccolo_conf).
os.environ["PICCOLO_CONF"] = "models.piccolo_conf"

log = logging.getLogger(__name__)

#: An arbitrary constant naming the PostgreSQL advisory lock held while migrating.
MIGRATION_LOCK = 7_302_118_842


def create_engine(settings: Settings) -> Engine:
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.sqlite_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationError(f"cannot create the data folder {path.parent}: {error}") from None
    return PooledSQLiteEngine(path=str(path), busy_timeout=settings.sqlite_busy_timeout)


def bind(engine: Engine) -> None:
    """Point every table (and Piccolo's migration bookkeeping) at ``engine``."""
    for table in [*APP_CONFIG.table_classes, Migration]:
        table._meta.db = engine
    piccolo_conf.DB = engine


def current() -> Engine:
    return piccolo_conf.DB


async def connect(settings: Settings) -> Engine:
    engine = create_engine(settings)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=settings.postgres_pool_size)
    else:
        await engine.open()
    bind(engine)
    return engine


async def disconnect(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close()


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Engine]:
    engine = await connect(settings)
    try:
        yield engine
    finally:
        await disconnect(engine)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.asynccontextmanager
async def _migration_lock(engine: Engine) -> AsyncIterator[None]:
    """Several processes may start at once: only one of them migrates at a time."""
    if isinstance(engine, PostgresEngine):
        async with engine.pool.acquire() as connection:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                yield
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    else:
        with _file_lock(Path(f"{engine.path}.migrate-lock")):
            yield


async def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied."""
    bind(engine)
    output = io.StringIO()
    async with _migration_lock(engine):
        with contextlib.redirect_stdout(output):
            result = await ForwardsMigrationManager(app_name=APP_CONFIG.app_name).run()
    if not result.success:
        raise ConfigurationError(f"migration failed: {result.message}")
    log.info("migrations: %s", result.message)


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
    if isinstance(current(), PostgresEngine):
        return query.lock_rows()
    return query


def row_lock() -> str:
    """The clause that ends a raw SELECT to lock its rows (see ``for_update``)."""
    return " FOR UPDATE" if isinstance(current(), PostgresEngine) else ""


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
