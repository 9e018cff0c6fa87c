"""Reads of several cases at once are one audit entry naming them all: ``case_ids`` (its
per-case index is the next migration). The entry's actor and organisation lose their own
indexes: the trail is read by case or by time.

Existing entries keep their shape (one case each, ``case_ids`` null) and stay readable."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one audit entry for an action on several cases"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    manager.add_column(
        table_class_name="AuditEntry",
        tablename="audit_entry",
        column_name="case_ids",
        db_column_name="case_ids",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    for column in ("actor_id", "organisation_id"):
        manager.alter_column(
            table_class_name="AuditEntry",
            tablename="audit_entry",
            column_name=column,
            db_column_name=column,
            params={"index": False},
            old_params={"index": True},
            column_class=UUID,
            old_column_class=UUID,
            schema=None,
        )
    return manager
