"""The audit trail is append-only: the database refuses to update or delete an entry."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T07:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit trail is append-only"

POSTGRES = [
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
]

SQLITE = [
    f"""
    CREATE TRIGGER audit_entry_no_{change.lower()}
    BEFORE {change} ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """
    for change in ("UPDATE", "DELETE")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def make_append_only():
        engine = engine_finder()
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(make_append_only)
    return manager
