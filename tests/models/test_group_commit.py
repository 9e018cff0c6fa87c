"""SQLite's one writer commits the transactions that queued for it as a group: each in its
own savepoint, so that one failing rolls back alone while its neighbours commit, and one
COMMIT for all, which every member waits for before it returns."""

import asyncio
import sqlite3

import pytest

from models import database
from models.organisations import Organisation, OrganisationKind, add_organisation
from models.settings import Settings
from models.sqlite_engine import PooledSQLiteEngine

MEMBERS = 12


class Refused(Exception):
    pass


@pytest.fixture
def writer_statements(settings: Settings, db) -> list[str]:
    """Every statement the writer connection runs."""
    if settings.uses_postgres:
        pytest.skip("group commit is how SQLite's one writer is shared")
    assert isinstance(database.current(), PooledSQLiteEngine)
    return []


async def _traced(seen: list[str]) -> None:
    engine = database.current()
    assert isinstance(engine, PooledSQLiteEngine)
    (await engine.writer()).raw.set_trace_callback(seen.append)


async def _open(name: str, *, fail: bool = False) -> None:
    async with database.transaction():
        await Organisation.insert(
            Organisation(name=name, kind=OrganisationKind.partner, country="NG")
        )
        await asyncio.sleep(0)  # let the others queue for the writer
        if fail:
            raise Refused(name)


async def test_one_failing_transaction_of_a_group_rolls_back_alone(writer_statements):
    await _traced(writer_statements)
    results = await asyncio.gather(
        *(_open(f"org {n}", fail=n == MEMBERS // 2) for n in range(MEMBERS)),
        return_exceptions=True,
    )

    failed = [r for r in results if isinstance(r, BaseException)]
    assert [type(r) for r in failed] == [Refused]
    names = {row["name"] for row in await Organisation.select(Organisation.name)}
    assert names == {f"org {n}" for n in range(MEMBERS) if n != MEMBERS // 2}
    commits = [s for s in writer_statements if s.strip().upper() == "COMMIT"]
    assert 1 <= len(commits) < MEMBERS, "the queued transactions share their COMMITs"
    assert writer_statements.count("ROLLBACK TO member") == 1


async def test_a_transaction_returns_only_once_its_group_is_committed(writer_statements):
    await _traced(writer_statements)
    returned_after_commit = []

    async def member(n: int) -> None:
        await add_organisation(name=f"member {n}", kind=OrganisationKind.partner, country="UG")
        returned_after_commit.append(writer_statements.count("COMMIT") > 0)

    await asyncio.gather(*(member(n) for n in range(MEMBERS)))
    assert returned_after_commit == [True] * MEMBERS


async def test_a_failed_commit_fails_every_member_of_its_group(writer_statements, monkeypatch):
    engine = database.current()
    writer = await engine.writer()
    real = writer.raw

    class FailingCommit:
        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *args):
            if sql == "COMMIT":
                raise sqlite3.OperationalError("disk I/O error")
            return real.execute(sql, *args)

    monkeypatch.setattr(writer, "raw", FailingCommit())
    results = await asyncio.gather(*(_open(f"lost {n}") for n in range(4)), return_exceptions=True)
    monkeypatch.setattr(writer, "raw", real)

    assert all(isinstance(r, Exception) and "disk I/O" in str(r) for r in results)
    assert not real.in_transaction
    assert await Organisation.count().where(Organisation.name.like("lost %")) == 0
