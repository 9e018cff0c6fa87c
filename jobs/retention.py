"""Erase personal data once the retention period after closure has passed."""

import logging

from models.cases.data_subject import erase_expired
from models.settings import Settings

log = logging.getLogger(__name__)


async def erase_expired_personal_data(settings: Settings) -> int:
    erased = await erase_expired(retention_years=settings.retention_years)
    log.info("retention sweep: erased the personal data of %d cases", erased)
    return erased
