"""Migrations build the schema; what Piccolo's tables cannot declare — the append-only audit
trail, two unique indexes and the review queue's indexes — is still there after `tracker
migrate` on a fresh database, on both engines."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from models import vault
from tests.conftest import _run_apart, scratch_postgres

HAND_WRITTEN = {
    "delivery_once",
    "frozen_outcome_report_version",
    "outcome_review_queue",
    "outcome_review_since",
}


def _tracker_migrate(database_url: str, folder: Path) -> None:
    """``tracker migrate`` as an operator runs it, with the data key set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env |= {
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_DATA_DIR": str(folder),
        "TRACKER_DATA_KEY": vault.new_key(),
    }
    done = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "migrate"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_a_fresh_sqlite_database_has_the_hand_written_triggers_and_indexes(tmp_path: Path):
    path = tmp_path / "fresh.sqlite"
    _tracker_migrate(f"sqlite:///{path}", tmp_path)
    with sqlite3.connect(path) as connection:
        names = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        assert {"audit_entry_no_update", "audit_entry_no_delete"} | HAND_WRITTEN <= names
        connection.execute(
            "INSERT INTO audit_entry (id, at, action) VALUES (?, '2026-01-01', 'x')",
            (str(uuid.uuid4()),),
        )
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("DELETE FROM audit_entry")


def test_a_fresh_postgres_database_has_the_hand_written_trigger_and_indexes(tmp_path: Path):
    async def inspect(url: str) -> tuple[set[str], set[str]]:
        connection = await asyncpg.connect(url)
        try:
            triggers = {
                r["tgname"] for r in await connection.fetch("SELECT tgname FROM pg_trigger")
            }
            indexes = {
                r["indexname"] for r in await connection.fetch("SELECT indexname FROM pg_indexes")
            }
            await connection.execute(
                "INSERT INTO audit_entry (id, at, action) VALUES ($1, now(), 'x')", uuid.uuid4()
            )
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await connection.execute("UPDATE audit_entry SET action = 'y'")
            return triggers, indexes
        finally:
            await connection.close()

    with scratch_postgres("tracker_fresh") as url:
        _tracker_migrate(url, tmp_path)
        found: dict[str, set[str]] = {}

        async def read() -> None:
            found["triggers"], found["indexes"] = await inspect(url)

        _run_apart(read())
    assert "audit_entry_append_only" in found["triggers"]
    assert found["indexes"] >= HAND_WRITTEN
