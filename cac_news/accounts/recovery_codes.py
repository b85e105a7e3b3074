"""Ten single-use recovery codes per pilot, stored as salted SHA-256 hashes.

The codes are random (50 bits each), so a fast salted hash is enough: nobody can guess
them from their hashes, and checking ten of them at login costs microseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete, select, update

from cac_news.extensions import db
from cac_news.models import Pilot, RecoveryCode
from cac_news.timeutil import utcnow

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
GROUP = 5


def generate() -> str:
    """One new code, as `xxxxx-xxxxx`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * 2))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def _normalise(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def hash_code(code: str, salt: str | None = None) -> str:
    """`salt$hex(sha256(salt + code))` of the normalised code."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256((salt + _normalise(code)).encode()).hexdigest()
    return f"{salt}${digest}"


def matches(code: str, stored: str) -> bool:
    """Whether a typed code is the one a stored hash stands for."""
    salt, _, _digest = stored.partition("$")
    return hmac.compare_digest(hash_code(code, salt), stored)


def replace(pilot: Pilot) -> list[str]:
    """Drop the pilot's codes and store ten new ones (not committed); return them in clear."""
    delete_all(pilot)
    codes = [generate() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(pilot_id=pilot.id, code_hash=hash_code(c)) for c in codes)
    return codes


def delete_all(pilot: Pilot) -> None:
    """Forget every recovery code of the pilot (not committed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.pilot_id == pilot.id))


def remaining(pilot: Pilot) -> int:
    """How many unused codes the pilot has left."""
    return len(_unused(pilot))


def _unused(pilot: Pilot) -> list[RecoveryCode]:
    return list(
        db.session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.pilot_id == pilot.id, RecoveryCode.used_at.is_(None)
            )
        )
    )


def use(pilot: Pilot, code: str) -> bool:
    """Accept an unused code of the pilot and mark it used, once (even under a race)."""
    if len(_normalise(code)) != GROUP * 2:
        return False
    for row in _unused(pilot):
        if matches(code, row.code_hash):
            result = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            return result.rowcount == 1
    return False
