"""The per-case index of audit entries about several cases, which Piccolo's tables cannot
declare: a GIN index on PostgreSQL, a contentless full-text index filled by a trigger on
SQLite (which, like the trail itself, refuses updates and deletions)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T00:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "per-case index of audit entries about several cases"

CASE_INDEX = {
    "postgres": [
        "CREATE INDEX audit_entry_cases ON audit_entry "
        "USING gin (string_to_array(case_ids, ' ')) WHERE case_ids IS NOT NULL",
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE audit_entry_cases USING fts5(case_ids, content='', detail=none, "
        "tokenize=\"unicode61 tokenchars '-_'\")",
        """
        CREATE TRIGGER audit_entry_cases_indexed AFTER INSERT ON audit_entry
        WHEN new.case_ids IS NOT NULL
        BEGIN
            INSERT INTO audit_entry_cases (rowid, case_ids) VALUES (new.rowid, new.case_ids);
        END
        """,
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index_cases():
        engine = engine_finder()
        for statement in CASE_INDEX[engine.engine_type]:
            await engine.run_ddl(statement)

    manager.add_raw(index_cases)
    return manager
