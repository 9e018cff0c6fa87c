"""Personal data encrypted at rest: AES-256-GCM from ``cryptography``.

Each sealed value names the key that sealed it, so that keys can be rotated while older
ones are still accepted, and is bound to a context (``models.sealing`` says which: table,
column, case and row), so that a value copied into another row or field no longer opens.
A sealed value starts with its scheme: ``enc2`` binds to the row; ``enc1``, the scheme of
the first databases, bound to table, column and case only.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.errors import ConfigurationError

#: The scheme every value is sealed with now, and the older one still opened.
SCHEME = "enc2"
LEGACY_SCHEME = "enc1"
KEY_FILE_NAME = "data.key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> str:
    return _b64(secrets.token_bytes(32))


def parse_keys(text: str) -> list[bytes]:
    """Keys are base64url, separated by commas or new lines; the first one seals."""
    keys = []
    for part in text.replace("\n", ",").split(","):
        if part.strip():
            try:
                key = _unb64(part.strip())
            except ValueError:
                key = b""
            if len(key) != 32:
                raise ConfigurationError(
                    "a data key must be 32 bytes in base64url (see `tracker keys new`)"
                )
            keys.append(key)
    if not keys:
        raise ConfigurationError("no data key given")
    return keys


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


class Vault:
    def __init__(self, keys: list[bytes]) -> None:
        self.primary_id = key_id(keys[0])
        self._ciphers = {key_id(key): AESGCM(key) for key in keys}

    def seal(self, value: str | None, *, context: str) -> str | None:
        if value is None:
            return None
        nonce = secrets.token_bytes(12)
        sealed = self._ciphers[self.primary_id].encrypt(nonce, value.encode(), context.encode())
        return f"{SCHEME}:{self.primary_id}:{_b64(nonce + sealed)}"

    def open(self, token: str | None, *, context: str) -> str | None:
        if token is None:
            return None
        try:
            prefix, used_key, payload = token.split(":", 2)
            cipher = self._ciphers[used_key]
            raw = _unb64(payload)
            if prefix not in (SCHEME, LEGACY_SCHEME):
                raise ValueError(prefix)
            return cipher.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except KeyError:
            raise ConfigurationError(
                f"personal data is sealed with key {used_key}, which is not configured"
            ) from None
        except (ValueError, InvalidTag):
            raise ConfigurationError(
                f"a sealed value of {context.split(':')[0]} does not open"
            ) from None

    def is_current(self, token: str | None) -> bool:
        """Sealed with the current key and scheme (nothing to seal again)."""
        if token is None:
            return True
        scheme, used_key, _ = token.split(":", 2)
        return scheme == SCHEME and used_key == self.primary_id


def scheme_of(token: str) -> str:
    return token.split(":", 1)[0]


_current: Vault | None = None


def use(vault: Vault) -> None:
    global _current  # one vault per process, like the engine
    _current = vault


def current() -> Vault:
    if _current is None:
        raise ConfigurationError("the data key is not loaded")
    return _current


def is_loaded() -> bool:
    return _current is not None


def key_file(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def read_keys(data_key: str | None, data_dir: Path) -> list[bytes] | None:
    """Keys from the setting, else from the key file in the data folder, else none."""
    if data_key:
        return parse_keys(data_key)
    path = key_file(data_dir)
    if path.exists():
        return parse_keys(path.read_text())
    return None


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) if needed, and let only its owner in: the data
    folder holds the database, the key and the receipts."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)


def write_key_file(data_dir: Path, keys: list[str]) -> None:
    """Write the key file readable by its owner only, replacing it atomically."""
    private_folder(data_dir)
    path = key_file(data_dir)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
