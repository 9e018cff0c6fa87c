"""The review of outcome reports: the queue's indexes, which Piccolo's tables cannot declare,
and a review for every case closed before reviews existed.

Those reviews wait from this migration, not from their closure: the reminder that a
report was not submitted comes 30 days after the deployment, rather than for every
closed case on the first sweep."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from models import clock

ID = "2026-12-01T22:14:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue indexes of outcome reviews; a review for each case closed before"

INDEXES = [
    "CREATE INDEX outcome_review_queue ON outcome_review (status, since, id)",
    "CREATE INDEX outcome_review_since ON outcome_review (since, id)",
]

#: Each closed case's review concerns its latest frozen version; its id is the case's.
OPEN_REVIEWS = (
    'INSERT INTO outcome_review (id, "case", status, version, since) '
    "SELECT c.id, c.id, 'not_submitted', "
    '(SELECT MAX(f.version) FROM frozen_outcome_report AS f WHERE f."case" = c.id), {} '
    "FROM return_case AS c WHERE c.status IN ('completed', 'closed_early') "
    "AND NOT EXISTS (SELECT 1 FROM outcome_review AS r WHERE r.id = c.id)"
)


async def open_reviews_of_closed_cases() -> None:
    await engine_finder().run_querystring(QueryString(OPEN_REVIEWS, clock.now()))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index_the_queue():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(index_the_queue)
    manager.add_raw(open_reviews_of_closed_cases)
    return manager
