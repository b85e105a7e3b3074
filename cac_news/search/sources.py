"""What the site search looks in: one SearchSource per kind of public content.

Letters keep the archive's own index (cac_news.archive.search). Every other kind is an
IndexedSource: on SQLite its public rows are copied, folded and stemmed, into the FTS5
table ``site_fts`` by cac_news.search.index; on PostgreSQL its ``pg_document`` is matched
with the ``cac_french`` configuration (a GIN expression index made by the migration).

Adding a kind is one function returning an IndexedSource, added to ``indexed_sources()``,
plus the GIN index on PostgreSQL in that kind's migration (see ``event_source``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l

from cac_news.content.markdown import markdown_text
from cac_news.models import ActionReport, Event, Resource
from cac_news.timeutil import to_local


@dataclass(frozen=True)
class IndexedSource:
    """A kind of content searched through the site index (SQLite) or its table (PostgreSQL)."""

    kind: str  # the value of ?kind= and of site_fts.kind
    label: Any  # heading of its group of results
    model: type
    table: str
    pg_document: str  # SQL over the table's columns; must equal the migration's index
    pg_public: str  # SQL condition (table alias t) of a public row
    is_public: Callable[[Any], bool]
    document: Callable[[Any], tuple[str, str]]  # (title, plain text) of an object
    endpoint: str
    url_args: Callable[[Any], dict]
    when: Callable[[Any], date | None]


def action_report_source() -> IndexedSource:
    """Published action reports."""
    return IndexedSource(
        kind="action",
        label=_l("Local actions"),
        model=ActionReport,
        table="action_report",
        pg_document="title || ' ' || body_md",
        pg_public="t.published",
        is_public=lambda r: bool(r.published),
        document=lambda r: (r.title, markdown_text(r.body_md)),
        endpoint="public.action",
        url_args=lambda r: {"report_id": r.id},
        when=lambda r: r.date,
    )


def resource_source() -> IndexedSource:
    """Published resources of the library."""
    return IndexedSource(
        kind="resource",
        label=_l("Resources"),
        model=Resource,
        table="resource",
        pg_document="title || ' ' || authors || ' ' || tags || ' ' || summary || ' ' || body_md",
        pg_public="t.status = 'published'",
        is_public=lambda r: r.status == "published",
        document=lambda r: (
            r.title,
            " ".join(p for p in (r.summary, markdown_text(r.body_md), r.authors, r.tags) if p),
        ),
        endpoint="public.resource",
        url_args=lambda r: {"slug": r.slug},
        when=lambda r: r.date,
    )


def event_source() -> IndexedSource:
    """Public events of the agenda (internal ones are never indexed nor matched)."""
    return IndexedSource(
        kind="event",
        label=_l("Events"),
        model=Event,
        table="event",
        pg_document="title || ' ' || place || ' ' || description_md",
        pg_public="NOT t.internal",
        is_public=lambda e: not e.internal,
        document=lambda e: (
            e.title,
            " ".join(p for p in (e.place, markdown_text(e.description_md)) if p),
        ),
        endpoint="public.event",
        url_args=lambda e: {"event_id": e.id},
        when=lambda e: e.start_date or to_local(e.starts_at).date(),
    )


@lru_cache(maxsize=1)
def indexed_sources() -> tuple[IndexedSource, ...]:
    """Every indexed kind, in the order their groups of results are shown (after letters)."""
    return (resource_source(), event_source(), action_report_source())


def source_for_model(model: type) -> IndexedSource | None:
    """The source that indexes objects of this model class, if any."""
    return next((s for s in indexed_sources() if s.model is model), None)
