"""The real tracker for the scripts that are not tests (the benchmark, the README's
screenshots): a fresh SQLite database in a temporary folder, served on a free port."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from models.settings import Settings
from tests.browser.tracker import Tracker
from tests.browser_support import Harness
from tests.conftest import _migrate, _run_apart
from tests.reliability.server import Server


@contextlib.contextmanager
def served_tracker(**environment: str) -> Iterator[Tracker]:
    folder = Path(tempfile.mkdtemp(prefix="tracker-"))
    harness = Harness()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'tracker.sqlite'}", data_dir=folder / "data"
    )
    _run_apart(_migrate(settings))
    server = Server(settings, folder, **environment)
    harness.run(server.start())
    try:
        yield Tracker(harness, server, settings, folder)
    finally:
        harness.run(server.stop())
        harness.close()
        shutil.rmtree(folder, ignore_errors=True)
