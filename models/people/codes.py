"""One-time codes people read aloud or type: enrolment codes, recovery codes.

The alphabet leaves out 0/O and 1/I/L, so a code survives a bad phone line; case, spaces
and dashes do not matter when it is typed back."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: no 0, O, 1, I, L


def new_code(groups: int, size: int = 4) -> str:
    """A random code from the OS's CSPRNG in groups, e.g. ``K7QM-4XTP-9WHC`` (12 symbols:
    59 bits)."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(groups * size))
    return "-".join(symbols[i : i + size] for i in range(0, len(symbols), size))


def normalised(code: str) -> str:
    """The code as stored: upper case, without separators."""
    return "".join(code.split()).replace("-", "").upper()


def hashed(code: str) -> str:
    """SHA-256 of the normalised code. Enough for codes of 50 bits and more that live a day:
    there is no guessing them offline before they expire."""
    return hashlib.sha256(normalised(code).encode()).hexdigest()
