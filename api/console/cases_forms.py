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
from api.console import pages
from models.errors import FieldError, RuleViolation

_INDEX = re.compile(r"^(?P<list>\w+)\[(?P<n>\d+)\]")
#: Budget lines the plan form offers (an empty line is left out).
BUDGET_LINES = 5

#: The catalogue key of each field's error message (the domain's own words are for the API),
#: in the order the fields appear on their pages: the error summary lists them so.
MESSAGES = (
    {
        field: f"cases.error.{field}"
        for field in (
            "q",
            "status",
            "country",
            "overdue",
            "person.given_name",
            "person.family_name",
            "person.date_of_birth",
            "person.sex",
            "person.nationality",
            "person.phone",
            "residence_status",
            "dublin_case",
            "exploitation",
            "origin_country",
            "identified_on",
            "reflection_period_start",
            "return_org_id",
            "partner_org_id",
            "representative",
            "representative.name",
            "representative.role",
            "days",
            "reason",
            "agreed_on",
            "goals",
        )
    }
    | {
        f"budget[{n}].{part}": f"cases.error.budget.{part}"
        for n in range(BUDGET_LINES)
        for part in ("category", "amount", "currency")
    }
    | {
        field: f"cases.error.{field}"
        for field in ("outcome", "closed_on", "note", "erase.reason", "reference")
    }
)
_PLACE = {field: n for n, field in enumerate(MESSAGES)}


def page_errors(error: RuleViolation) -> list[tuple[str, str]]:
    """A refusal as the page's errors, in the order of their fields on the page."""
    errors = pages.field_errors(error, MESSAGES)
    return sorted(errors, key=lambda found: _PLACE.get(found[0], len(_PLACE)))


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

    return RuleViolation(
        str(error), [FieldError(place(e.field), e.message, e.code) for e in error.errors]
    )


def renamed(error: RuleViolation, names: dict[str, str]) -> RuleViolation:
    """The refusal with its fields named as the form names them."""
    return RuleViolation(
        str(error),
        [FieldError(names.get(e.field, e.field), e.message, e.code) for e in error.errors],
    )
