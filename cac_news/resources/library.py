"""Resources as pilots write them: check, save (with the attached file), publish, delete."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news.audience.modes import slugify
from cac_news.errors import ErrorCollector
from cac_news.extensions import db
from cac_news.models import OBJECTIVES, Resource, ResourceKind
from cac_news.resources import files

MAX_TAGS = 12
TAG = re.compile(r"^[\w' -]{1,40}$")


@dataclass
class ResourceData:
    """What a pilot types for a resource."""

    title: str
    kind_id: int | None
    date: date | None
    authors: str = ""
    summary: str = ""
    body_md: str = ""
    tags: str = ""
    objective: str = ""
    slug: str = ""


@dataclass
class Upload:
    """An uploaded file: its stream and the name the browser gave."""

    stream: BinaryIO
    filename: str


def normalise_tags(raw: str) -> list[str]:
    """Comma-separated tags, trimmed, lower-cased, without duplicates, in order."""
    seen: list[str] = []
    for piece in (raw or "").split(","):
        tag = " ".join(piece.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def _check(data: ResourceData, resource: Resource | None) -> tuple[list[str], str]:
    errors = ErrorCollector()
    errors.check_title(data.title)
    if data.kind_id is None or db.session.get(ResourceKind, data.kind_id) is None:
        errors.add("kind_id", str(_l("Choose a kind.")))
    if data.date is None:
        errors.add("date", str(_l("A date is required.")))
    if len(data.authors) > 300:
        errors.add("authors", str(_l("At most %(n)d characters.", n=300)))
    if data.objective and data.objective not in OBJECTIVES:
        errors.add("objective", str(_l("Choose one of the objectives.")))
    tags = normalise_tags(data.tags)
    if len(tags) > MAX_TAGS or any(not TAG.match(t) for t in tags):
        errors.add(
            "tags",
            str(_l("At most %(n)d tags of letters, digits, spaces or hyphens.", n=MAX_TAGS)),
        )
    slug = slugify(data.slug or "") if data.slug.strip() else ""
    if data.slug.strip() and not slug:
        errors.add("slug", str(_l("The address needs letters or digits.")))
    elif slug:
        other = db.session.scalar(select(Resource).where(Resource.slug == slug))
        if other is not None and other is not resource:
            errors.add("slug", str(_l("Another resource already has this address.")))
    errors.raise_if_any()
    return tags, slug


def unique_slug(title: str) -> str:
    """A slug made from the title, with -2, -3… if taken."""
    base = slugify(title)[:100] or "ressource"
    slug, n = base, 1
    while db.session.scalar(select(Resource.id).where(Resource.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_resource(
    data: ResourceData,
    resource: Resource | None = None,
    upload: Upload | None = None,
    remove_file: bool = False,
) -> Resource:
    """Create or update a resource after checking everything, its file included; commits.

    The new file is checked and stored before anything changes in the database; the file
    it replaces is deleted only once the change is committed.
    """
    tags, slug = _check(data, resource)
    stored = files.store_upload(upload.stream, upload.filename) if upload else None
    old_file = resource.file_stored if resource is not None else None
    if resource is None:
        resource = Resource(status="draft", slug=slug or unique_slug(data.title))
        db.session.add(resource)
    elif slug:
        resource.slug = slug
    resource.title = data.title.strip()
    resource.kind_id = data.kind_id
    resource.date = data.date
    resource.authors = data.authors.strip()
    resource.summary = data.summary.strip()
    resource.body_md = data.body_md or ""
    resource.tags = ",".join(tags)
    resource.objective = data.objective or None
    if stored is not None:
        resource.file_stored, resource.file_name = stored.stored, stored.name
        resource.file_mime, resource.file_size = stored.mime, stored.size
    elif remove_file:
        resource.file_stored = resource.file_name = resource.file_mime = None
        resource.file_size = None
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if stored is not None:
            files.remove_stored(stored.stored)
        raise
    if old_file and old_file != resource.file_stored:
        files.remove_stored(old_file)
    return resource


def set_published(resource: Resource, published: bool) -> None:
    """Publish a resource or take it back to draft; commits."""
    if published:
        resource.publish()
    else:
        resource.unpublish()
    db.session.commit()


def delete_resource(resource: Resource) -> None:
    """Delete a resource and its file; commits."""
    stored = resource.file_stored
    db.session.delete(resource)
    db.session.commit()
    files.remove_stored(stored)


def list_resources() -> list[Resource]:
    """Every resource, newest first (the admin list)."""
    return list(
        db.session.scalars(select(Resource).order_by(Resource.date.desc(), Resource.id.desc()))
    )
