"""The tracker's one clock: every "now" and "today" of the domain is read here.

There are two todays, for two purposes:

- ``today()`` is the date in UTC. Due dates, overdue months, sweeps and retention count by
  it: one date for every office and phone, whatever their time zone.
- ``latest_date_anywhere()`` is the date it already is somewhere on Earth (UTC+14). A
  date is refused as "in the future" only past it: a worker in Bangkok or Kampala may
  record today's visit while it is still yesterday in Copenhagen.

The date is never a setting: retention erases personal data by it. Tests set it with
``time-machine`` (see ``tests/conftest.py``), and processes they start run under
``faketime``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

#: The easternmost time zone in use (Kiribati, UTC+14).
EARTH_AHEAD_OF_UTC = timedelta(hours=14)


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """The date in UTC: what due dates, sweeps and retention count by."""
    return now().date()


def latest_date_anywhere() -> date:
    """The latest date it already is somewhere (UTC+14): later dates are in the future."""
    return (now() + EARTH_AHEAD_OF_UTC).date()
