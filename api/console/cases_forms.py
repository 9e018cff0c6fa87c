"""Reading the case pages' forms into the domain's request structs.

A form's fields are named as the domain names them in its refusals (``person.date_of_birth``,
``budget[0].amount``), so that every error lands next to its field. What a form can get
wrong before the domain is asked (a field left empty, a date that is not a date) is
reported for all fields at once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from api.body import field_error
from models.errors import FieldError, RuleViolation

_INDEX = re.compile(r"^(?P<list>\w+)\[(?P<n>\d+)\]")


def values(form: FormMultiDict, *, multiple: Iterable[str] = ()) -> dict[str, Any]:
    """The form's values, trimmed; fields in ``multiple`` (checkboxes) as lists."""
    found: dict[str, Any] = {
        key: value.strip() for key, value in form.items() if isinstance(value, str)
    }
    found.pop("csrf_token", None)
    for key in multiple:
        found[key] = [v for v in form.getall(key, []) if isinstance(v, str)]
    return found


def _at(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


def read(
    struct: type[Any],
    data: dict[str, Any],
    *,
    required: Iterable[str] = (),
    dates: Iterable[str] = (),
    numbers: Iterable[str] = (),
    also: Iterable[tuple[str, str]] = (),
) -> Any:
    """``data`` (paths of ``required``, ``dates`` and ``numbers`` as the fields name them)
    as ``struct``; every empty required field, every unreadable date or number refused at
    once, then whatever the struct's own constraints refuse."""
    errors = list(also)
    empty = [path for path in required if _at(data, path) in ("", None, [])]
    errors += [(path, "required") for path in empty]
    for path in dates:
        text = _at(data, path)
        if path in empty or not text:
            continue
        try:
            _put(data, path, date.fromisoformat(text))
        except ValueError:
            errors.append((path, "must be a date"))
    for path in numbers:
        text = _at(data, path)
        if path in empty or not text:
            continue
        if text.isdigit() and len(text) < 10:
            _put(data, path, int(text))
        else:
            errors.append((path, "must be a whole number"))
    if errors:
        raise RuleViolation.many(errors)
    try:
        return msgspec.convert(data, type=struct, strict=False)
    except msgspec.ValidationError as error:
        found = field_error(error)
        raise RuleViolation(f"{found.field}: {found.message}", [found]) from None


def renumbered(error: RuleViolation, places: list[int]) -> RuleViolation:
    """The refusal of a list sent without its empty lines, its fields numbered by their
    lines' places on the form."""

    def place(field: str) -> str:
        found = _INDEX.match(field)
        if not found or int(found["n"]) >= len(places):
            return field
        return f"{found['list']}[{places[int(found['n'])]}]" + field[found.end() :]

    return RuleViolation(str(error), [FieldError(place(e.field), e.message) for e in error.errors])


def renamed(error: RuleViolation, names: dict[str, str]) -> RuleViolation:
    """The refusal with its fields named as the form names them."""
    return RuleViolation(
        str(error), [FieldError(names.get(e.field, e.field), e.message) for e in error.errors]
    )
