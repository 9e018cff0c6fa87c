from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text

ID = "2026-12-01T22:03:37:679432"
VERSION = "1.38.0"
DESCRIPTION = "authenticator secrets are sealed columns"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tracker", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Invitation",
        tablename="invitation",
        column_name="totp_secret",
        db_column_name="totp_secret",
        params={"secret": True},
        old_params={"secret": False},
        column_class=Text,
        old_column_class=Text,
        schema=None,
    )

    manager.alter_column(
        table_class_name="StaffCredential",
        tablename="staff_credential",
        column_name="totp_secret",
        db_column_name="totp_secret",
        params={"secret": True},
        old_params={"secret": False},
        column_class=Text,
        old_column_class=Text,
        schema=None,
    )

    return manager
