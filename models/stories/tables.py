"""Success stories drawn from completed reintegration courses, told to new victims."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, BigInt, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from models.cases.tables import Case
from models.organisations import Organisation, User


class StoryStatus(StrEnum):
    draft = "draft"
    published = "published"
    retired = "retired"


class Story(Table):
    id = UUID(primary_key=True)
    #: The completed case the story is drawn from; never shown outside the drafting centre.
    case = ForeignKey(references=Case, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    created_by = ForeignKey(references=User, null=False)
    #: Sealed: a draft has not passed review, and its text is the centre's until published.
    title = Text(secret=True)
    text = Text(secret=True)
    #: ISO 639-1.
    language = Varchar(length=2, index=True)
    status = Varchar(length=10, choices=StoryStatus, index=True)
    #: Coarse facts, fixed when the story is published: nothing that points at one person.
    origin_country = Varchar(length=2, null=True, default=None, index=True)
    #: The year of return, widened to a range until enough cases share it.
    return_year_from = Integer(null=True, default=None)
    return_year_to = Integer(null=True, default=None)
    #: Sorted, comma-separated forms of exploitation and support categories received.
    exploitation = Varchar(length=100, null=True, default=None)
    support_categories = Varchar(length=200, null=True, default=None)
    outcome = Varchar(length=20, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)
    retired_at = Timestamptz(null=True, default=None)
    change_seq = BigInt(default=0, index=True)


class StoryDrafting(Table):
    """How drafting from one case stands: refusals counted, and whether it is locked."""

    id = UUID(primary_key=True)
    case = ForeignKey(references=Case, null=False, unique=True)
    #: Refused drafts since the case was last unlocked (the opener's own not counted).
    refusals = Integer(default=0)
    locked_at = Timestamptz(null=True, default=None)
