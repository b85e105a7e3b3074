"""The audit log: who sent, scheduled, cancelled, deleted, exported, changed settings.

`record()` is the one call: inside a request it names the logged-in pilot and the client
network by itself; elsewhere (command line, worker) pass them or leave them empty.
Details hold ids and counts only, never a subscriber's address or name.
"""

from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cac_news.client_network import truncate_ip
from cac_news.extensions import db
from cac_news.models import AuditEvent, Pilot
from cac_news.pagination import Page, paginate

ACTION_LABELS = {
    "newsletter.sent": _l("Newsletter sent"),
    "newsletter.scheduled": _l("Newsletter scheduled"),
    "newsletter.paused": _l("Send paused"),
    "newsletter.resumed": _l("Send resumed"),
    "newsletter.cancelled": _l("Send cancelled"),
    "newsletter.withdrawn": _l("Issue withdrawn from the archive"),
    "newsletter.restored": _l("Issue restored to the archive"),
    "subscriber.deleted": _l("Subscriber deleted"),
    "subscribers.exported": _l("Subscribers exported"),
    "segment.deleted": _l("Segment deleted"),
    "settings.changed": _l("Settings changed"),
    "pilot.created": _l("Pilot created"),
    "pilot.updated": _l("Pilot changed"),
    "pilot.deleted": _l("Pilot deleted"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "two_factor.enabled": _l("Two-factor login turned on"),
    "two_factor.disabled": _l("Two-factor login turned off"),
    "two_factor.reset": _l("Two-factor login reset by an admin"),
    "two_factor.recovery_used": _l("Recovery code used"),
    "two_factor.recovery_codes_replaced": _l("Recovery codes replaced"),
    "password.reset": _l("Password reset by email"),
}


def action_label(action: str) -> str:
    """The translated name of an action (the action itself when it has none)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _request_pilot() -> Pilot | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def record(
    action: str,
    target: Any = None,
    *,
    target_type: str | None = None,
    target_id: int | None = None,
    details: dict[str, Any] | None = None,
    pilot: Pilot | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Write one audit event; `target` is any model row (its table and id are kept)."""
    if target is not None:
        target_type = target_type or target.__tablename__
        target_id = target_id if target_id is not None else target.id
    pilot = pilot or _request_pilot()
    if ip is None and has_request_context():
        ip = request.remote_addr
    event = AuditEvent(
        pilot_id=pilot.id if pilot is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=json.dumps(details or {}, sort_keys=True, default=str),
        ip=truncate_ip(ip),
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def list_events(page: int = 1, per_page: int = 50) -> Page:
    """One page of the audit log, newest first."""
    statement = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.pilot))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return paginate(statement, page, per_page)


def event_details(event: AuditEvent) -> dict[str, Any]:
    """The details of an event as a mapping."""
    try:
        return json.loads(event.details or "{}")
    except ValueError:
        return {}
