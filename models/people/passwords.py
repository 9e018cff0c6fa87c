"""Passwords: argon2id (argon2-cffi), at least 12 characters, none of the common ones.

``common-passwords.txt.gz`` is the list Django ships (20,000 passwords from breaches,
compiled by Royce Williams; BSD licence), read once and compared in lower case."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.errors import RuleViolation

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 256
COMMON = Path(__file__).with_name("common-passwords.txt.gz")

#: RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes): argon2-cffi's default.
_hasher = PasswordHasher()


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_strength(password: str, field: str = "password") -> None:
    if len(password) < MINIMUM_LENGTH:
        raise RuleViolation.on(field, f"must have at least {MINIMUM_LENGTH} characters")
    if len(password) > MAXIMUM_LENGTH:
        raise RuleViolation.on(field, f"must have at most {MAXIMUM_LENGTH} characters")
    if password.lower() in _common():
        raise RuleViolation.on(field, "is on a list of common passwords; choose another")


def hashed(password: str) -> str:
    return _hasher.hash(password)


def matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches; without a stored hash, the same work is done anyway so
    that the time taken does not tell whether the account exists."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY = _hasher.hash("no account has this password")
