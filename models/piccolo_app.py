"""The Piccolo app that holds every table of the tracker and its migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from models.attachments import Attachment
from models.audit import AuditEntry
from models.cases.tables import TABLES as CASE_TABLES
from models.changes import ChangeCounter, ReachLoss
from models.events.tables import Delivery, DeliveryAttempt, Webhook
from models.followup.tables import TABLES as FOLLOWUP_TABLES
from models.organisations import ApiToken, Organisation, User
from models.outbox import Event
from models.outcomes.tables import TABLES as OUTCOME_TABLES
from models.people.tables import TABLES as PEOPLE_TABLES
from models.stories.tables import Story, StoryDrafting

APP_CONFIG = AppConfig(
    app_name="tracker",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[
        Organisation,
        User,
        ApiToken,
        *CASE_TABLES,
        AuditEntry,
        Attachment,
        *FOLLOWUP_TABLES,
        ChangeCounter,
        ReachLoss,
        Story,
        StoryDrafting,
        *OUTCOME_TABLES,
        Event,
        Webhook,
        Delivery,
        DeliveryAttempt,
        *PEOPLE_TABLES,
    ],
    migration_dependencies=[],
    commands=[],
)
