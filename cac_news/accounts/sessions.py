"""A pilot's own logins: list them, keep their "last seen" fresh, end one or all others."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from cac_news.extensions import db
from cac_news.models import Pilot, PilotSession
from cac_news.timeutil import utcnow

# "Last seen" is written at most this often per login: one UPDATE a minute, not per request.
TOUCH_EVERY = timedelta(minutes=1)


def list_sessions(pilot: Pilot) -> list[PilotSession]:
    """The pilot's active logins, most recently seen first."""
    return list(
        db.session.scalars(
            select(PilotSession)
            .where(PilotSession.pilot_id == pilot.id)
            .order_by(PilotSession.last_seen_at.desc(), PilotSession.id.desc())
        )
    )


def touch(token: str, now: datetime | None = None) -> None:
    """Note that the login with this token was just used (at most once per TOUCH_EVERY).

    Read first, write only when stale: most requests then take no write lock at all.
    """
    now = now or utcnow()
    last_seen = db.session.scalar(
        select(PilotSession.last_seen_at).where(PilotSession.token == token)
    )
    if last_seen is not None and last_seen >= now - TOUCH_EVERY:
        return
    db.session.execute(
        update(PilotSession)
        .where(PilotSession.token == token)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def end_one(pilot: Pilot, session_id: int) -> bool:
    """End one of the pilot's own logins; False when it is not theirs or already ended."""
    result = db.session.execute(
        delete(PilotSession).where(PilotSession.id == session_id, PilotSession.pilot_id == pilot.id)
    )
    db.session.commit()
    return result.rowcount == 1


def end_others(pilot: Pilot, keep_token: str | None) -> int:
    """End every login of the pilot but the one with `keep_token`; return how many ended."""
    result = db.session.execute(
        delete(PilotSession).where(
            PilotSession.pilot_id == pilot.id, PilotSession.token != (keep_token or "")
        )
    )
    db.session.commit()
    return result.rowcount
