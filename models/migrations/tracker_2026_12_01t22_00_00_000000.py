"""Sealed values bound to their row: every value sealed by the first scheme (bound to table,
column and case only) is sealed again, bound to its row too (``models.sealing``).

The data key is loaded before migrations run (``tracker serve``, ``migrate``, ``jobs``);
without it a database that holds sealed values cannot be migrated."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from models import keys, sealing, vault
from models.errors import ConfigurationError

ID = "2026-12-01T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seal values again, bound to their row"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def seal_again():
        # The tables as they stand at this migration: later ones do not exist yet.
        tables = [table for table in keys.sealed_tables() if await table.table_exists()]
        if not vault.is_loaded():
            for table in tables:
                if await table.exists():
                    raise ConfigurationError(
                        "sealing values again needs the data key: set TRACKER_DATA_KEY or "
                        "put the key file in the data folder, then migrate"
                    )
            return
        for table in tables:
            await sealing.reseal(table)

    manager.add_raw(seal_again)
    return manager
