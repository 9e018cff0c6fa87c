"""Every table of the tracker, bound to the engine the settings select, and their migrations.

The top of the layers: connecting imports every table. The domain's modules write through
``models.database``, which knows no table."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine

from models import attachments, database, piccolo_conf, wiring
from models.errors import ConfigurationError
from models.piccolo_app import APP_CONFIG
from models.settings import Settings

# Piccolo's migration runner looks its engine up through this module (see piccolo_conf).
os.environ["PICCOLO_CONF"] = "models.piccolo_conf"

log = logging.getLogger(__name__)


def bind(engine: Engine) -> None:
    """Point every table (and Piccolo's migration bookkeeping) at ``engine``."""
    for table in [*APP_CONFIG.table_classes, Migration]:
        table._meta.db = engine
    piccolo_conf.DB = engine
    database.use(engine)


async def connect(settings: Settings) -> Engine:
    engine = await database.open_engine(settings)
    bind(engine)
    wiring.wire()
    attachments.use_folder(settings.data_dir)
    return engine


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Engine]:
    engine = await connect(settings)
    try:
        yield engine
    finally:
        await database.close_engine(engine)


async def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied; several processes may start at once, and
    only one of them migrates at a time."""
    bind(engine)
    output = io.StringIO()
    async with database.lock("migrate"):
        with contextlib.redirect_stdout(output):
            result = await ForwardsMigrationManager(app_name=APP_CONFIG.app_name).run()
    if not result.success:
        raise ConfigurationError(f"migration failed: {result.message}")
    log.info("migrations: %s", result.message)
