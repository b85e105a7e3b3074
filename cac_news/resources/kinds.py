"""Kinds of resources: the defaults (also inserted by the migration) and their editing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cac_news.content.kinds import EditableKinds
from cac_news.models import Resource, ResourceKind

DEFAULT_RESOURCE_KINDS = (
    ("note-d-analyse", "Note d'analyse"),
    ("fiche", "Fiche"),
    ("tribune", "Tribune"),
    ("compte-rendu", "Compte rendu"),
    ("revue-de-presse", "Revue de presse"),
    ("video", "Vidéo"),
)

KINDS = EditableKinds(
    ResourceKind,
    Resource.kind_id,
    lambda n: str(_l("%(n)d resources are of this kind: change their kind first.", n=n)),
)
list_kinds = KINDS.list
kind_by_slug = KINDS.by_slug
save_kind = KINDS.save
delete_kind = KINDS.delete
