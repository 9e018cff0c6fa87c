"""Declaring, in OpenAPI, a success answer that is not (only) JSON.

Litestar describes a route's ``200`` from its return annotation, as JSON. A route that
answers receipts, CSV, a printable page or SVG names its media types with
``operation_class=answers(...)`` so that clients and the schema fuzzing see what it
really sends.
"""

from __future__ import annotations

from dataclasses import dataclass

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
