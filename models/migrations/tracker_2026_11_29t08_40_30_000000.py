"""One delivery per webhook and event; one frozen outcome report per case and version."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T08:40:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique deliveries and report versions"

STATEMENTS = [
    "CREATE UNIQUE INDEX delivery_once ON delivery (webhook, event)",
    'CREATE UNIQUE INDEX frozen_outcome_report_version ON frozen_outcome_report ("case", version)',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def add_unique_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_unique_indexes)
    return manager
