"""Loading and rotating the key that seals personal data."""

from __future__ import annotations

import logging

from models import vault
from models.cases.personal import reseal_all
from models.cases.tables import Person
from models.errors import ConfigurationError
from models.outcomes.frozen import reseal_frozen
from models.people.second_factor import reseal_secrets
from models.people.tables import StaffCredential
from models.settings import Settings

log = logging.getLogger(__name__)


async def unlock(settings: Settings) -> None:
    """Load the data key; on a first start with no personal data yet, make one.

    A database that already holds personal data is never given a new key: that would
    leave the sealed data unreadable. Without its key the tracker refuses to start."""
    keys = vault.read_keys(settings.data_key, settings.data_dir)
    if keys is None:
        if await Person.exists() or await StaffCredential.exists():
            raise ConfigurationError(
                "the database holds personal data but no data key was found: set "
                f"TRACKER_DATA_KEY or restore {vault.key_file(settings.data_dir)}"
            )
        vault.write_key_file(settings.data_dir, [vault.new_key()])
        log.info("generated a data key in %s", vault.key_file(settings.data_dir))
        keys = vault.read_keys(None, settings.data_dir)
        assert keys is not None
    vault.use(vault.Vault(keys))


async def rotate(settings: Settings) -> int:
    """Seal everything with a new key. With the key file, a new key is made and the old
    ones are dropped once nothing needs them; with TRACKER_DATA_KEY, put the new key first
    in the setting (old ones after it), run this, then remove the old ones."""
    if settings.data_key:
        await unlock(settings)
        return await reseal_all() + await reseal_frozen() + await reseal_secrets()
    path = vault.key_file(settings.data_dir)
    if not path.exists():
        raise ConfigurationError(f"no key file at {path} and TRACKER_DATA_KEY is not set")
    old = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    fresh = vault.new_key()
    vault.write_key_file(settings.data_dir, [fresh, *old])
    await unlock(settings)
    resealed = await reseal_all() + await reseal_frozen() + await reseal_secrets()
    vault.write_key_file(settings.data_dir, [fresh])
    await unlock(settings)
    return resealed
