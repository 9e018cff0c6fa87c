"""What Piccolo's tables cannot declare: the audit trail is append-only (the database refuses
to update or delete an entry), one delivery per webhook and event, one frozen outcome report
per case and version."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T08:40:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only audit trail, unique deliveries and report versions"

APPEND_ONLY = {
    "postgres": [
        """
        CREATE OR REPLACE FUNCTION audit_entry_is_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only';
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER audit_entry_append_only
        BEFORE UPDATE OR DELETE ON audit_entry
        FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only()
        """,
    ],
    "sqlite": [
        f"""
        CREATE TRIGGER audit_entry_no_{change.lower()}
        BEFORE {change} ON audit_entry
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
        """
        for change in ("UPDATE", "DELETE")
    ],
}

UNIQUE_INDEXES = [
    "CREATE UNIQUE INDEX delivery_once ON delivery (webhook, event)",
    'CREATE UNIQUE INDEX frozen_outcome_report_version ON frozen_outcome_report ("case", version)',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def constrain():
        engine = engine_finder()
        for statement in APPEND_ONLY[engine.engine_type] + UNIQUE_INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(constrain)
    return manager
