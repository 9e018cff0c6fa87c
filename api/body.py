"""Strict reading of JSON request bodies.

Litestar converts bodies leniently (``"3"`` passes for ``3``) and reports one field at a
time without a path. Every handler's ``data`` struct is decoded here first, strictly, so
that a wrong type is a 422 naming the field and unreadable JSON is a 400.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import HTTPException

from api.problems import without_values
from api.settings import settings_of
from models.errors import FieldError, MalformedRequest, RuleViolation

_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_NAMED_FIELD = re.compile(r"(?:missing required|contains unknown) field `(?P<name>[^`]+)`")


def field_error(error: msgspec.ValidationError) -> FieldError:
    """Turn msgspec's "Expected `int`, got `str` - at `$.person.age`" into a named field."""
    match = _AT_PATH.match(str(error))
    assert match is not None
    message, path = match["message"], (match["path"] or "").lstrip(".")
    if named := _NAMED_FIELD.search(message):
        path = f"{path}.{named['name']}" if path else named["name"]
    return FieldError(path or "body", without_values(message))


#: Repeated keys named in the refusal; a hostile body may repeat thousands.
NAMED_KEYS = 3


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Linear in the keys: a 1 MiB body holds some 80,000 of them."""
    found = dict(pairs)
    if len(found) != len(pairs):
        repeated = sorted(
            key for key, count in Counter(key for key, _ in pairs).items() if count > 1
        )
        named = ", ".join(repeated[:NAMED_KEYS]) + (", …" if len(repeated) > NAMED_KEYS else "")
        raise MalformedRequest(f"the body names {named} more than once")
    return found


def decode(body: bytes, struct_type: Any) -> Any:
    """Unreadable JSON (not UTF-8, cut short, a key given twice) is a 400; JSON that does
    not fit the struct is a 422 naming the field."""
    try:
        # The standard parser reads the whole body first, so that a body cut short is
        # "unreadable" even when an early field is also wrong, and it sees repeated keys,
        # which msgspec would silently resolve to the last one.
        json.loads(body, object_pairs_hook=_refuse_repeated_keys)
    except (ValueError, RecursionError):
        raise MalformedRequest("the body is not valid JSON in UTF-8") from None
    try:
        return msgspec.json.decode(body, type=struct_type, strict=True)
    except msgspec.ValidationError as error:
        found = field_error(error)
        raise RuleViolation(f"{found.field}: {found.message}", [found]) from None
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise MalformedRequest("the body is not valid JSON in UTF-8") from None


@cache
def _is_json(media_type: str) -> bool:
    kind = media_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


async def decode_strictly(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: reject a body that does not strictly fit ``data``."""
    parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    if parameter is None or not _is_struct(parameter.annotation):
        return
    if not _is_json(request.headers.get("content-type", "")):
        raise HTTPException(status_code=415, detail="send the body as application/json")
    limit = settings_of(request).max_json_body
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise HTTPException(status_code=413, detail=f"a JSON body may have at most {limit} bytes")
    body = await request.body()
    if len(body) > limit:
        raise HTTPException(status_code=413, detail=f"a JSON body may have at most {limit} bytes")
    decode(body, parameter.annotation)


@cache
def _is_struct(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)
