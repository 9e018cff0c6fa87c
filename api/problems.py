"""The one place where errors become RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

from models.attachments import TooLarge
from models.errors import (
    Conflict,
    FieldError,
    Forbidden,
    MalformedRequest,
    NotAuthenticated,
    NotFound,
    RuleViolation,
    TrackerError,
)

log = logging.getLogger(__name__)

STATUS_OF: dict[type[TrackerError], int] = {
    MalformedRequest: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RuleViolation: 422,
    TooLarge: 413,
}


def problem(
    status: int,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemDetailsException:
    title = HTTPStatus(status).phrase
    if errors is not None:
        extra["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return ProblemDetailsException(
        status_code=status,
        title=title,
        detail=detail,
        type_="urn:tracker:problem:" + title.lower().replace(" ", "-"),
        headers=headers,
        extra=extra or None,
    )


def from_domain(error: TrackerError) -> ProblemDetailsException:
    status = next(code for kind, code in STATUS_OF.items() if isinstance(error, kind))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    errors = error.errors if isinstance(error, RuleViolation) else None
    extra = (
        {"stored_id": error.stored_id} if isinstance(error, Conflict) and error.stored_id else {}
    )
    return problem(status, error.detail, errors=errors, headers=headers, **extra)


def _parameter_errors(error: ValidationException) -> list[FieldError]:
    """Litestar's own validation of query and path parameters, named by parameter."""
    extra = error.extra if isinstance(error.extra, list) else []
    return [
        FieldError(str(item.get("key", "")), without_values(str(item.get("message", ""))))
        for item in extra
        if isinstance(item, dict)
    ]


def from_http(error: HTTPException) -> ProblemDetailsException:
    if isinstance(error, ValidationException):
        errors = _parameter_errors(error)
        return problem(422, "some parameters are not valid", errors=errors)
    detail = error.detail if error.detail != HTTPStatus(error.status_code).phrase else ""
    headers = dict(error.headers or {})
    if error.status_code == 429 and "RateLimit-Reset" in headers:
        headers["Retry-After"] = headers["RateLimit-Reset"]
    return problem(error.status_code, detail, headers=headers or None)


def from_unexpected(error: Exception) -> ProblemDetailsException:
    log.exception("unexpected error", exc_info=error)
    return problem(500, "an unexpected error happened; it has been logged")


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def without_values(message: str) -> str:
    """Drop quoted input values from a message: they may be personal data."""
    return _QUOTED.sub("…", message)


def config() -> ProblemDetailsConfig:
    return ProblemDetailsConfig(
        exception_to_problem_detail_map={
            TrackerError: from_domain,
            HTTPException: from_http,
            Exception: from_unexpected,
        }
    )
