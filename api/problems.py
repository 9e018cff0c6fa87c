"""The one place where errors become RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

from models.attachments import TooLarge
from models.errors import (
    ConfigurationError,
    Conflict,
    FieldError,
    Forbidden,
    MalformedRequest,
    NotAuthenticated,
    NotFound,
    RuleViolation,
    TokenExpired,
    TokenRevoked,
    TooManyAttempts,
    TrackerError,
)

log = logging.getLogger(__name__)

STATUS_OF: dict[type[TrackerError], int] = {
    #: The service cannot do its work as configured (e.g. a sealed value it cannot open).
    ConfigurationError: 503,
    MalformedRequest: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RuleViolation: 422,
    TooLarge: 413,
    TooManyAttempts: 429,
}

#: Refusals a client must tell apart from their status alone, by the end of ``type``.
SLUG_OF: dict[type[TrackerError], str] = {
    TokenRevoked: "token-revoked",
    TokenExpired: "token-expired",
}

#: Every problem ``type`` is a reference under this path, ending in the problem's slug.
TYPE_BASE = "/problems/"


def problem(
    status: int,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    slug: str | None = None,
    **extra: Any,
) -> ProblemDetailsException:
    title = HTTPStatus(status).phrase
    if errors is not None:
        extra["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return ProblemDetailsException(
        status_code=status,
        title=title,
        detail=detail,
        type_=TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        headers=headers,
        extra=extra or None,
    )


def from_domain(error: TrackerError) -> ProblemDetailsException:
    status = next(code for kind, code in STATUS_OF.items() if isinstance(error, kind))
    if status >= 500:
        log.error("the service cannot answer: %s", error.detail)
        return problem(status, "the service cannot answer as configured; it has been logged")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    errors = error.errors if isinstance(error, RuleViolation) else None
    extra = (
        {"stored_id": error.stored_id} if isinstance(error, Conflict) and error.stored_id else {}
    )
    slug = SLUG_OF.get(type(error))
    return problem(status, error.detail, errors=errors, headers=headers, slug=slug, **extra)


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


class ProblemError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error of the API is answered."""

    type: str
    title: str
    status: int
    detail: str = ""
    #: The fields that break a rule (422).
    errors: list[ProblemError] | None = None
    #: The stored record a reused client id names (409).
    stored_id: str | None = None


#: Every error an API route can answer, declared in its OpenAPI operation.
ERRORS = {
    400: "the body is not readable JSON",
    401: "no valid bearer token",
    403: "the caller's organisation may not do this",
    404: "no such record, or outside the caller's reach",
    409: "conflicts with the stored state or record",
    412: "If-Match names a stale version",
    413: "the body is over the limit",
    415: "the body is not JSON",
    422: "a rule of the plan or a field is broken",
    428: "If-Match is required",
    429: "too many requests; see Retry-After",
    503: "the service cannot answer as configured (e.g. its keys); logged for its operators",
}


def declare_errors(handler: Any) -> None:
    """Declare the problem responses (and 304 for reads) on an API route handler."""
    declared = {
        code: ResponseSpec(
            data_container=Problem, media_type="application/problem+json", description=text
        )
        for code, text in ERRORS.items()
    }
    if "GET" in handler.http_methods:
        declared[304] = ResponseSpec(data_container=None, description="not modified since the ETag")
    handler.responses = {**declared, **(handler.responses or {})}


def config() -> ProblemDetailsConfig:
    return ProblemDetailsConfig(
        exception_to_problem_detail_map={
            TrackerError: from_domain,
            HTTPException: from_http,
            Exception: from_unexpected,
        }
    )
