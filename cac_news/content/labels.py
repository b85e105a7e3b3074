"""Translatable labels of statuses and slugs, in one place: subscribers, letters, roadmap, kinds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OBJECTIVE_LABELS = {
    "expertise": _l("Expertise on the new ways of financing social action"),
    "local_actions": _l("Support for local actions and “territoires sans CIS”"),
    "platform": _l("Information platform"),
    "organisation": _l("Organisation of the group"),
}
ROADMAP_STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "postponed": _l("Postponed"),
    "abandoned": _l("Abandoned"),
}
ACTION_KIND_LABELS = {
    "mobilisation": _l("Mobilisation"),
    "public_meeting": _l("Public meeting"),
    "deliberation": _l("Council deliberation"),
    "training": _l("Training"),
    "publication": _l("Publication"),
    "other": _l("Other"),
}
SUBSCRIBER_STATUS_LABELS = {
    "pending": _l("Pending confirmation"),
    "active": _l("Active"),
    "unsubscribed": _l("Unsubscribed"),
    "bounced": _l("Bounced"),
    "complained": _l("Complained"),
}
DELIVERY_STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "retrying": _l("Retrying"),
    "skipped": _l("Skipped"),
    "cancelled": _l("Cancelled"),
}
NEWSLETTER_STATUS_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "sending": _l("Sending"),
    "paused": _l("Paused"),
    "sent": _l("Sent"),
    "cancelled": _l("Cancelled"),
}
SECTION_KIND_LABELS = {
    "roadmap_update": _l("Roadmap update"),
    "action_report": _l("Action report"),
    "event": _l("Event"),
    "text": _l("Free text"),
    "divider": _l("Divider"),
}
