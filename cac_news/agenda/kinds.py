"""Kinds of events: the defaults (also inserted by the migration) and their editing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cac_news.content.kinds import EditableKinds
from cac_news.models import Event, EventKind

DEFAULT_EVENT_KINDS = (
    ("reunion-du-groupe", "Réunion du groupe"),
    ("webinaire", "Webinaire"),
    ("mobilisation", "Mobilisation"),
    ("assemblee", "Assemblée"),
    ("formation", "Formation"),
)

KINDS = EditableKinds(
    EventKind,
    Event.kind_id,
    lambda n: str(_l("%(n)d events are of this kind: change their kind first.", n=n)),
)
list_kinds = KINDS.list
kind_by_slug = KINDS.by_slug
save_kind = KINDS.save
delete_kind = KINDS.delete
