"""The second factor: a TOTP authenticator (pyotp, 30-second steps, one step either side,
each code once) or one of ten recovery codes (each once)."""

from __future__ import annotations

import hmac
import uuid

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import clock, sealing
from models.people import codes
from models.people.tables import RecoveryCode, StaffCredential

RECOVERY_CODES = 10
ISSUER = "Reintegration tracker"
#: OWASP's minimum argon2id profile: recovery codes carry 59 random bits, so the hash
#: needs less work than a password's, and the ten are made at once.
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def matching_step(secret: str, code: str) -> int | None:
    """The time step whose code this is (now, or one step either side), else None."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def accept_totp(credential: dict, code: str) -> bool:
    """Whether the code is right and not used before. The step is recorded with a
    conditional update, so a code raced in twice is accepted once."""
    secret = sealing.open_value(
        StaffCredential, "totp_secret", credential["totp_secret"], row_id=credential["id"]
    )
    step = matching_step(secret or "", code)
    if step is None:
        return False
    accepted = (
        await StaffCredential.update({StaffCredential.totp_last_step: step})
        .where(
            StaffCredential.id == credential["id"],
            StaffCredential.totp_last_step.is_null() | (StaffCredential.totp_last_step < step),
        )
        .returning(StaffCredential.id)
    )
    return bool(accepted)


def new_recovery_codes(user_id: uuid.UUID) -> tuple[list[str], list[RecoveryCode]]:
    """Ten codes to show once, and their rows to store (hashed)."""
    shown, rows = [], []
    for _ in range(RECOVERY_CODES):
        code = codes.new_code(groups=4)
        shown.append(code)
        rows.append(
            RecoveryCode(
                id=uuid.uuid4(),
                user=user_id,
                selector=codes.normalised(code)[:4],
                code_hash=_recovery_hasher.hash(codes.normalised(code)),
            )
        )
    return shown, rows


async def accept_recovery_code(user_id: uuid.UUID, code: str) -> bool:
    """Whether it is one of the user's unused recovery codes; it is used up at once."""
    typed = codes.normalised(code)
    candidates = await RecoveryCode.select().where(
        RecoveryCode.user == user_id,
        RecoveryCode.selector == typed[:4],
        RecoveryCode.used_at.is_null(),
    )
    for candidate in candidates:
        try:
            _recovery_hasher.verify(candidate["code_hash"], typed)
        except (VerificationError, InvalidHashError):
            continue
        used = (
            await RecoveryCode.update({RecoveryCode.used_at: clock.now()})
            .where(RecoveryCode.id == candidate["id"], RecoveryCode.used_at.is_null())
            .returning(RecoveryCode.id)
        )
        return bool(used)
    return False
