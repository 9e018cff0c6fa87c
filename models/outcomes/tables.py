"""Outcome reports frozen when a case is closed, and their amended versions."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from models.cases.tables import Case
from models.organisations import User


class FrozenOutcomeReport(Table):
    """The outcome report as it stood at closure (version 1); each later correction is a
    new version, all kept."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, index=True)
    version = Integer()
    #: ``closure`` or ``amendment``.
    reason = Varchar(length=20)
    #: The report as JSON, sealed (it holds the closure note).
    body = Text(secret=True)
    created_at = Timestamptz()
    created_by = ForeignKey(references=User, null=True, default=None)
