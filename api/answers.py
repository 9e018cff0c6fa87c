"""Declaring in OpenAPI the success answers Litestar cannot derive from a route's
return annotation, so that clients and the schema fuzzing see what it really sends.

- A route that answers receipts, CSV, a printable page or SVG names its media types with
  ``operation_class=answers(...)`` (Litestar would declare JSON).
- A create that a phone may retry declares ``responses=stored_again(View)``: ``200`` with
  the stored record beside its ``201``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

JSON = "application/json"


def answers(*media_types: str, also_json: bool = False) -> type[Operation]:
    """An operation whose ``200`` answers these media types, and JSON too if
    ``also_json`` (keeping the schema Litestar derived for it)."""

    @dataclass
    class Answers(Operation):
        def __post_init__(self) -> None:
            success = (self.responses or {}).get("200")
            if not isinstance(success, OpenAPIResponse):
                return
            derived = success.content or {}
            kept = {JSON: derived[JSON]} if also_json and JSON in derived else {}
            success.content = kept | {
                media_type: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, content_media_type=media_type)
                )
                for media_type in media_types
            }

    return Answers


def stored_again(view: type[Any]) -> dict[int, ResponseSpec]:
    """The ``200`` of a create sent again with the same id and content."""
    return {200: ResponseSpec(data_container=view, description="the same record, sent again")}
