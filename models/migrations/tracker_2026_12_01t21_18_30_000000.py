"""One account per e-mail address (SQLite cannot add a UNIQUE column, so an index)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T21:18:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique e-mail addresses of staff"

STATEMENTS = ["CREATE UNIQUE INDEX tracker_user_email ON tracker_user (email)"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def add_unique_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_unique_indexes)
    return manager
