"""TOTP two-factor login (RFC 6238 through pyotp): enrolment, codes, reset.

A code is accepted within one time-step either side of now, and a time-step once used is
never accepted again for that pilot (the compare-and-set on `totp_last_step` also holds
when two requests race with the same code).
"""

from __future__ import annotations

import hmac
import io
import time

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from cac_news.accounts import recovery_codes
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Pilot
from cac_news.timeutil import utcnow

STEP_SECONDS = 30
VALID_WINDOW = 1  # steps accepted either side of now (clock drift, slow typing)
ISSUER = "cac_news"


def normalise_code(code: str | None) -> str:
    """What a person typed, without spaces or dashes."""
    return "".join((code or "").split()).replace("-", "")


def pending_secret(pilot: Pilot) -> str:
    """The secret being enrolled: kept across reloads of the page, created when missing."""
    if pilot.two_factor_enabled:
        raise ValueError("two-factor login is already enabled")
    if not pilot.totp_secret:
        pilot.totp_secret = pyotp.random_base32()
        db.session.commit()
    return pilot.totp_secret


def provisioning_uri(pilot: Pilot, secret: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=pilot.email, issuer_name=issuer)


def qr_svg(uri: str, title: str = "QR code") -> str:
    """The QR code of `uri` as an inline SVG image (no XML declaration, no script)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, scale=4, border=2, nl=False,
        title=title, omitsize=True,
    )  # fmt: skip
    return buffer.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)


def current_step(now: float | None = None) -> int:
    """The TOTP time-step a Unix time falls in."""
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time-step within the window whose code is `code`, or None."""
    code = normalise_code(code)
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = current_step(now)
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _claim_step(pilot: Pilot, step: int) -> bool:
    """Record `step` as used unless it (or a later one) already was: one use per step."""
    result = db.session.execute(
        update(Pilot)
        .where(
            Pilot.id == pilot.id,
            or_(Pilot.totp_last_step.is_(None), Pilot.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(pilot)
    return result.rowcount == 1


def check_totp(pilot: Pilot, code: str, now: float | None = None) -> bool:
    """Accept a current code of the pilot's secret once; a replayed code is refused."""
    if not pilot.totp_secret:
        return False
    step = matching_step(pilot.totp_secret, code, now)
    return step is not None and _claim_step(pilot, step)


def check_second_factor(pilot: Pilot, code: str, now: float | None = None) -> str | None:
    """What opened the login: "totp", "recovery" (a recovery code, now used up) or None."""
    if not pilot.two_factor_enabled:
        return None
    if check_totp(pilot, code, now):
        return "totp"
    if recovery_codes.use(pilot, code):
        return "recovery"
    return None


def enable(pilot: Pilot, code: str, now: float | None = None) -> list[str]:
    """Turn two-factor login on once the pilot typed a valid code of the pending secret.

    Returns the ten recovery codes, in clear for this once.
    """
    if pilot.two_factor_enabled or not pilot.totp_secret:
        raise ValidationError.single("code", str(_l("Reload the page and start again.")))
    if not check_totp(pilot, code, now):
        raise ValidationError.single(
            "code", str(_l("This code is not valid. Type the code your app shows now."))
        )
    pilot.totp_enabled_at = utcnow()
    codes = recovery_codes.replace(pilot)
    db.session.commit()
    return codes


def disable(pilot: Pilot) -> None:
    """Forget the pilot's secret, last used step and recovery codes; committed."""
    pilot.totp_secret = None
    pilot.totp_enabled_at = None
    pilot.totp_last_step = None
    recovery_codes.delete_all(pilot)
    db.session.commit()


def renew_recovery_codes(pilot: Pilot) -> list[str]:
    """Ten new recovery codes in place of the old ones; committed. Returned in clear."""
    codes = recovery_codes.replace(pilot)
    db.session.commit()
    return codes
