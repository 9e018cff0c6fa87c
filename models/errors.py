"""Everything the domain can refuse, one class per kind of refusal.

The API maps each class to one HTTP status, in one place (``api/problems.py``).
Messages never contain personal data: they name fields, not values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    #: Which of a field's rules refused it, for callers that word the refusal themselves
    #: (the console's pages) and must not depend on the message's English.
    code: str | None = field(default=None, compare=False)


#: Codes of ``FieldError``: a date after the latest date anywhere on earth today.
IN_FUTURE = "in_future"
#: A date before the one the rule measures it from (the plan, the departure …).
TOO_EARLY = "too_early"
#: A list's cursor this service did not give out.
NOT_A_CURSOR = "not_a_cursor"


class TrackerError(Exception):
    """Base of every refusal the domain raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigurationError(TrackerError):
    """The settings or the data folder do not allow the tracker to start."""


class NotAuthenticated(TrackerError):
    """No token, or a token that is unknown, revoked or expired."""


class TokenRevoked(NotAuthenticated):
    """The token was revoked (a lost phone, a signed-out device): the app wipes its data."""


class TokenExpired(NotAuthenticated):
    """The token expired (unused too long): the app keeps its data and enrols again."""


class Forbidden(TrackerError):
    """The caller's organisation may not do this kind of thing."""


class FourEyes(Forbidden):
    """The person who recorded something may not also decide it: another person must."""


class NotFound(TrackerError):
    """The record does not exist, or lies outside the caller's reach."""


class Conflict(TrackerError):
    """The request contradicts what is stored (state, or a client id reused)."""

    def __init__(self, detail: str, *, stored_id: str | None = None) -> None:
        super().__init__(detail)
        #: The stored record a reused client id names.
        self.stored_id = stored_id


class RuleViolation(TrackerError):
    """A rule of the plan or a field's constraint is broken."""

    def __init__(self, detail: str, errors: list[FieldError]) -> None:
        super().__init__(detail)
        self.errors = errors

    @classmethod
    def on(cls, field: str, message: str, code: str | None = None) -> RuleViolation:
        return cls(f"{field}: {message}", [FieldError(field, message, code)])

    @classmethod
    def many(cls, errors: Sequence[tuple[str, str] | FieldError]) -> RuleViolation:
        found = [e if isinstance(e, FieldError) else FieldError(*e) for e in errors]
        return cls("; ".join(f"{e.field}: {e.message}" for e in found), found)


class TooManyAttempts(TrackerError):
    """Too many failed attempts from one address or at one account; try again later."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        #: Whole seconds until the next attempt is heard.
        self.retry_after = retry_after


class MalformedRequest(TrackerError):
    """The body cannot be read at all (not JSON, not UTF-8)."""
