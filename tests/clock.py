"""The tests' clock: one clock for a test and the domain it calls.

Every test runs with the clock set by ``time-machine`` (the ``clock`` fixture): at
``TRACKER_TEST_NOW`` when it is set (CI replays the date-sensitive tests at hostile
instants), else at the real time. A test may move it (``clock.move_to(...)``). Processes a
test starts run under Debian's ``faketime`` at the test's instant (``faked``)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

#: e.g. ``2026-12-31T22:00:00Z``: the instant every test starts at; unset: the real time.
TEST_NOW = os.environ.get("TRACKER_TEST_NOW", "")


def real_now() -> datetime:
    hatch = time_machine.escape_hatch
    return datetime.fromtimestamp(hatch.time.time() if hatch.is_travelling() else time.time(), UTC)


def start_instant() -> datetime:
    if not TEST_NOW:
        return real_now()
    instant = datetime.fromisoformat(TEST_NOW)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


class Clock:
    """The instant a test runs at; it ticks, and the test may move it."""

    def __init__(self, traveller: time_machine.Coordinates) -> None:
        self._traveller = traveller

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        """The date in UTC, as the domain's due dates count."""
        return self.now().date()

    def move_to(self, instant: datetime | str) -> None:
        if isinstance(instant, str):
            instant = datetime.fromisoformat(instant)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        self._traveller.move_to(instant)


def faked(command: list[str]) -> list[str]:
    """``command`` run at the test's instant: under ``faketime`` when the test's clock is
    not the real one (the process's clock then starts there and ticks)."""
    now = datetime.now(UTC)
    if abs(now - real_now()) < timedelta(seconds=5):
        return command
    if shutil.which("faketime") is None:
        pytest.fail("the test's clock is set, and running a process at it needs faketime")
    start = now.strftime("%Y-%m-%d %H:%M:%S")
    return [
        "env",
        "TZ=UTC",
        "faketime",
        "-f",
        f"@{start}",
        *command,
    ]


@pytest.fixture(autouse=True)
def clock() -> Clock:
    with time_machine.travel(start_instant(), tick=True) as traveller:
        yield Clock(traveller)
