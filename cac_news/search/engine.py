"""Search every public kind of content at once; results grouped by kind, best first.

Letters come from the archive's search; the indexed kinds from ``site_fts`` (SQLite FTS5)
or their tables (PostgreSQL full-text search). Excerpts are built here from the plain text
of each object with the archive's highlighter (same folding and stemming as the index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import text

from cac_news.archive import search as archive_search
from cac_news.extensions import db
from cac_news.search.sources import IndexedSource, indexed_sources

LETTERS = "letter"
GROUP_SIZE = 5  # hits shown per kind on the overview


@dataclass(frozen=True)
class SiteHit:
    """One result: its title, where it lives (endpoint and arguments), a highlighted excerpt."""

    kind: str
    title: str | Markup  # Markup: matching words in <mark>
    endpoint: str
    url_args: dict
    excerpt: Markup
    when: date | None = None


@dataclass(frozen=True)
class Group:
    """The results of one kind: the hits asked for and how many match in all."""

    kind: str
    label: Any
    hits: list[SiteHit]
    total: int


def kinds() -> list[tuple[str, Any]]:
    """Every searchable kind and its label, in display order."""
    return [(LETTERS, _l("Letters")), *((s.kind, s.label) for s in indexed_sources())]


def search_kind(query: str, kind: str, limit: int, offset: int = 0) -> Group:
    """One kind's matches for the query; raise KeyError for an unknown kind."""
    labels = dict(kinds())
    label = labels[kind]
    terms = archive_search.query_terms(query)
    if not terms:
        return Group(kind, label, [], 0)
    if kind == LETTERS:
        hits, total = archive_search.search(query, limit=limit, offset=offset)
        return Group(kind, label, [_letter_hit(h) for h in hits], total)
    source = next(s for s in indexed_sources() if s.kind == kind)
    if db.engine.dialect.name == "sqlite":
        ids, total = _sqlite_ids(source, terms, limit, offset)
    else:
        ids, total = _postgresql_ids(source, terms, limit, offset)
    stems = {archive_search.stem(t) for t in terms}
    objects = [db.session.get(source.model, i) for i in ids]
    hits = [_hit(source, obj, stems) for obj in objects if obj is not None]
    return Group(kind, label, hits, total)


def search_all(query: str, per_group: int = GROUP_SIZE) -> list[Group]:
    """The first matches of every kind (kinds with none are left out)."""
    groups = [search_kind(query, kind, per_group) for kind, _label in kinds()]
    return [g for g in groups if g.total]


def _letter_hit(hit) -> SiteHit:
    copy = hit.copy
    title = _("Letter no. %(number)d", number=copy.number) + f" — {copy.subject}"
    return SiteHit(
        LETTERS,
        title,
        "public.newsletter_copy",
        {"number": copy.number},
        hit.excerpt,
        copy.published_at.date(),
    )


def _hit(source: IndexedSource, obj, stems: set[str]) -> SiteHit:
    title, body = source.document(obj)
    return SiteHit(
        source.kind,
        archive_search.highlight(title, stems, words=200),
        source.endpoint,
        source.url_args(obj),
        archive_search.highlight(body, stems),
        source.when(obj),
    )


def _sqlite_ids(source: IndexedSource, terms, limit: int, offset: int):
    match = " ".join('"' + archive_search.stem(t).replace('"', '""') + '"' for t in terms)
    where = "FROM site_fts WHERE site_fts MATCH :match AND kind = :kind"
    params = {"match": match, "kind": source.kind}
    total = db.session.execute(text(f"SELECT count(*) {where}"), params).scalar()  # noqa: S608
    ids = db.session.execute(
        text(
            f"SELECT ref {where} ORDER BY bm25(site_fts, 0.0, 0.0, 4.0, 1.0), ref DESC "  # noqa: S608
            "LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    ).scalars()
    return [int(i) for i in ids], total or 0


def _postgresql_ids(source: IndexedSource, terms, limit: int, offset: int):
    # Table, document and condition are constants of the source, never visitor input.
    vector = f"to_tsvector('cac_french'::regconfig, {source.pg_document})"
    where = (
        f"FROM {source.table} t, plainto_tsquery('cac_french', :q) query "
        f"WHERE {vector} @@ query AND {source.pg_public}"
    )
    params = {"q": " ".join(terms)}
    total = db.session.execute(text(f"SELECT count(*) {where}"), params).scalar()  # noqa: S608
    ids = db.session.execute(
        text(
            f"SELECT t.id {where} ORDER BY ts_rank({vector}, query) DESC, t.id DESC "  # noqa: S608
            "LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    ).scalars()
    return list(ids), total or 0
