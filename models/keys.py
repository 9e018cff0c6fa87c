"""Loading and rotating the key that seals personal data.

Every server and jobs process holds the database's "in-use" lock, shared, for as long as it
runs (``in_use``). Rotation takes it alone: it refuses to run while any of them is running,
so that no process keeps sealing with a key being dropped, nor meets values sealed with a
key it does not have.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from piccolo.table import Table

from models import database, sealing, vault
from models.errors import ConfigurationError
from models.piccolo_app import APP_CONFIG
from models.settings import Settings

log = logging.getLogger(__name__)


def sealed_tables() -> list[type[Table]]:
    """Every table with a sealed column."""
    return [table for table in APP_CONFIG.table_classes if sealing.sealed_columns(table)]


def load(settings: Settings) -> bool:
    """Load the data key(s) from ``TRACKER_DATA_KEY`` or the key file, when there are any."""
    keys = vault.read_keys(settings.data_key, settings.data_dir)
    if keys is None:
        return False
    vault.use(vault.Vault(keys))
    return True


async def _holds_sealed_data() -> bool:
    for table in sealed_tables():
        if await table.exists():
            return True
    return False


async def unlock(settings: Settings) -> None:
    """Load the data key; on a first start with nothing sealed yet, make one.

    A database that already holds sealed data is never given a new key: that would leave
    it unreadable. Without its key the tracker refuses to start."""
    if load(settings):
        return
    # Processes starting at once on one data folder make one key, not one each.
    async with database.lock("migrate"):
        if load(settings):
            return
        if await _holds_sealed_data():
            raise ConfigurationError(
                "the database holds personal data but no data key was found: set "
                f"TRACKER_DATA_KEY or restore {vault.key_file(settings.data_dir)}"
            )
        vault.write_key_file(settings.data_dir, [vault.new_key()])
        log.info("generated a data key in %s", vault.key_file(settings.data_dir))
        load(settings)


@contextlib.asynccontextmanager
async def in_use() -> AsyncIterator[None]:
    """Held by a server or jobs process while it runs: no key rotation meanwhile."""
    async with database.lock("in-use", shared=True):
        yield


async def reseal_everything() -> int:
    """Seal again every value not sealed with the current key and scheme; how many rows."""
    resealed = 0
    for table in sealed_tables():
        resealed += await sealing.reseal(table)
    return resealed


async def rotate(settings: Settings) -> int:
    """Seal everything with a new key. With the key file, a new key is made and the old
    ones are dropped once nothing needs them; with TRACKER_DATA_KEY, put the new key first
    in the setting (old ones after it), run this, then remove the old ones. Refused while a
    server or jobs process uses the database."""
    async with database.lock("in-use", wait=False) as alone:
        if not alone:
            raise ConfigurationError(
                "a server or jobs process is using the database: stop them, rotate the key, "
                "then start them again"
            )
        if settings.data_key:
            await unlock(settings)
            return await reseal_everything()
        path = vault.key_file(settings.data_dir)
        if not path.exists():
            raise ConfigurationError(f"no key file at {path} and TRACKER_DATA_KEY is not set")
        old = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        fresh = vault.new_key()
        vault.write_key_file(settings.data_dir, [fresh, *old])
        await unlock(settings)
        resealed = await reseal_everything()
        vault.write_key_file(settings.data_dir, [fresh])
        await unlock(settings)
        return resealed
