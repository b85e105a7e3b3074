"""What the public sees of the library: published resources, filters, tags, last change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select

from cac_news.extensions import db
from cac_news.models import OBJECTIVES, Resource, ResourceKind
from cac_news.pagination import Page, paginate
from cac_news.resources.kinds import kind_by_slug

RESOURCES_PER_PAGE = 20


class UnknownFilter(LookupError):
    """A filter value that names no kind, tag or objective."""


@dataclass(frozen=True)
class ResourceFilters:
    """Filters of /ressources/; empty strings mean no filter."""

    kind: str = ""
    tag: str = ""
    objective: str = ""

    @classmethod
    def parse(cls, args) -> ResourceFilters:
        """Read and check the query arguments; raise UnknownFilter for unknown values."""
        kind = (args.get("kind") or "").strip()
        tag = " ".join((args.get("tag") or "").split()).lower()[:40]
        objective = (args.get("objective") or "").strip()
        if kind and kind_by_slug(kind) is None:
            raise UnknownFilter("kind")
        if objective and objective not in OBJECTIVES:
            raise UnknownFilter("objective")
        return cls(kind, tag, objective)

    @property
    def active(self) -> bool:
        """At least one filter is set."""
        return bool(self.kind or self.tag or self.objective)

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for pagination links)."""
        return {k: v for k, v in vars(self).items() if v}


def _published():
    return Resource.status == "published"


def _conditions(filters: ResourceFilters) -> list:
    conditions = [_published()]
    if filters.kind:
        conditions.append(Resource.kind.has(ResourceKind.slug == filters.kind))
    if filters.tag:
        # Tags are stored "a,b,c": wrapped in commas, ",tag," finds one whole tag.
        wrapped = literal(",") + Resource.tags + literal(",")
        conditions.append(wrapped.contains(f",{filters.tag},", autoescape=True))
    if filters.objective:
        conditions.append(Resource.objective == filters.objective)
    return conditions


def published_resources(filters: ResourceFilters, page: int = 1) -> Page:
    """Published resources matching the filters, newest first, one page of them."""
    conditions = _conditions(filters)
    statement = (
        select(Resource).where(*conditions).order_by(Resource.date.desc(), Resource.id.desc())
    )
    return paginate(statement, page, RESOURCES_PER_PAGE, strict=True)


def latest_resources(limit: int) -> list[Resource]:
    """The most recently published resources (the feed)."""
    return list(
        db.session.scalars(
            select(Resource)
            .where(_published())
            .order_by(Resource.published_at.desc(), Resource.id.desc())
            .limit(limit)
        )
    )


def published_resource(slug: str) -> Resource | None:
    """A published resource by its slug, or None (drafts are not public)."""
    resource = db.session.scalar(select(Resource).where(Resource.slug == slug))
    return resource if resource is not None and resource.published else None


def public_tags() -> list[str]:
    """Every tag of a published resource, sorted."""
    found: set[str] = set()
    for tags in db.session.scalars(select(Resource.tags).where(_published())):
        found.update(t for t in tags.split(",") if t)
    return sorted(found)


def used_kinds() -> list[ResourceKind]:
    """Kinds with at least one published resource, in display order."""
    return list(
        db.session.scalars(
            select(ResourceKind)
            .where(ResourceKind.id.in_(select(Resource.kind_id).where(_published())))
            .order_by(ResourceKind.position, ResourceKind.id)
        )
    )


def last_resource_change():
    """When any resource last changed (an unpublished one included: it left the list)."""
    return db.session.scalar(select(func.max(Resource.updated_at)))
