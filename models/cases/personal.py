"""The person of a case as stored: sealed columns opened, the date of birth as a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from models import sealing
from models.cases.tables import Person


def open_person(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``Person`` (with its ``id`` and ``case``) opened."""
    opened = sealing.open_row(Person, row)
    if opened.get("date_of_birth"):
        opened["date_of_birth"] = date.fromisoformat(opened["date_of_birth"])
    return opened
