"""What a centre asks of a story: the request bodies, as msgspec structs."""

from __future__ import annotations

import uuid
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from models.cases.commands import Strict

Title = Annotated[str, Meta(min_length=1, max_length=200)]
StoryText = Annotated[str, Meta(min_length=1, max_length=10000)]
Language = Annotated[str, Meta(pattern="^[a-z]{2}$", description="ISO 639-1, e.g. en")]


class StoryCreate(Strict):
    #: The completed case the story is drawn from.
    case_id: uuid.UUID
    title: Title
    text: StoryText
    language: Language


class StoryEdit(Strict):
    """A partial edit of a draft: absent fields are left as they are."""

    title: Title | UnsetType = UNSET
    text: StoryText | UnsetType = UNSET
    language: Language | UnsetType = UNSET
