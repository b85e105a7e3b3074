"""What the API shows of each object: what the admin shows, and nothing internal.

No consent IP, search text or mode bit set of subscribers; no frozen message bodies,
per-recipient addresses or SMTP details of newsletters; never a token or its hash.
Times are ISO 8601 in UTC with their offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cac_news.models import ActionReport, Newsletter, RoadmapUpdate, Segment, Subscriber


def iso(value: datetime | date | None) -> str | None:
    """An ISO 8601 date or UTC time (stored times are naive UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat()
    return value.isoformat()


def subscriber(row: Subscriber) -> dict[str, Any]:
    """A subscriber as the admin's detail page shows them."""
    return {
        "id": row.id,
        "email": row.email,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "organisation": row.organisation,
        "territory": row.territory_code,
        "language": row.language,
        "status": row.status,
        "modes": [mode.slug for mode in row.modes],
        "consent": {
            "at": iso(row.consent_at),
            "source": row.consent_source,
            "detail": row.consent_detail,
        },
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "status_changed_at": iso(row.status_changed_at),
    }


def segment(row: Segment) -> dict[str, Any]:
    """A segment's rule."""
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "language": row.language,
        "modes": [mode.slug for mode in row.modes],
        "territories": row.territory_codes,
    }


def newsletter(row: Newsletter, delivery_counts: dict[str, int] | None = None) -> dict[str, Any]:
    """A newsletter's headers and state; with its delivery counts when given."""
    data: dict[str, Any] = {
        "id": row.id,
        "number": row.number,
        "subject": row.subject,
        "preheader": row.preheader,
        "status": row.status,
        "segment_id": row.segment_id,
        "recipients_count": row.recipients_count,
        "scheduled_at": iso(row.scheduled_at),
        "send_started_at": iso(row.send_started_at),
        "sent_at": iso(row.sent_at),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }
    if delivery_counts is not None:
        data["deliveries"] = delivery_counts
    return data


def action_report(row: ActionReport) -> dict[str, Any]:
    """An action report, draft or published."""
    return {
        "id": row.id,
        "title": row.title,
        "date": iso(row.date),
        "territory": row.territory_code,
        "kind": row.kind,
        "body_md": row.body_md,
        "link": row.link,
        "contact": row.contact,
        "published": row.published,
        "published_at": iso(row.published_at),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def roadmap_update(row: RoadmapUpdate) -> dict[str, Any]:
    """A dated note on a roadmap item."""
    return {
        "id": row.id,
        "item_id": row.item_id,
        "item_title": row.item.title,
        "date": iso(row.date),
        "body_md": row.body_md,
        "new_status": row.new_status,
        "created_at": iso(row.created_at),
    }
