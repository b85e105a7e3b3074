"""Keep the SQLite FTS5 table ``site_fts`` in step with the content, whatever writes it.

Mapper events fire inside every flush that inserts, updates or deletes an object of an
indexed model (a view, the CLI, the demo or a test factory alike) and rewrite its row in
the same transaction: a public object is (re)indexed, anything else leaves the index.
Bulk ``UPDATE``/``DELETE`` statements bypass mapper events: content code does not use them.
PostgreSQL needs nothing here (its queries read the tables themselves).
"""

from __future__ import annotations

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection

from cac_news.archive.search import stem_text
from cac_news.search.sources import IndexedSource, indexed_sources

_DELETE = text("DELETE FROM site_fts WHERE kind = :kind AND ref = :ref")
_INSERT = text("INSERT INTO site_fts (kind, ref, title, body) VALUES (:kind, :ref, :title, :body)")


def refresh_row(connection: Connection, source: IndexedSource, obj) -> None:
    """Rewrite one object's row: indexed while public, absent otherwise."""
    connection.execute(_DELETE, {"kind": source.kind, "ref": obj.id})
    if source.is_public(obj):
        title, body = source.document(obj)
        connection.execute(
            _INSERT,
            {
                "kind": source.kind,
                "ref": obj.id,
                "title": stem_text(title),
                "body": stem_text(body),
            },
        )


def _listener(source: IndexedSource, deleting: bool = False):
    def handler(_mapper, connection: Connection, target) -> None:
        if connection.dialect.name != "sqlite":
            return
        if deleting:
            connection.execute(_DELETE, {"kind": source.kind, "ref": target.id})
        else:
            refresh_row(connection, source, target)

    return handler


def watch_models() -> None:
    """Install the mapper events once per process (create_app calls this)."""
    for source in indexed_sources():
        for name in ("after_insert", "after_update"):
            handler = _HANDLERS.setdefault((source.kind, name), _listener(source))
            if not event.contains(source.model, name, handler):
                event.listen(source.model, name, handler)
        handler = _HANDLERS.setdefault((source.kind, "after_delete"), _listener(source, True))
        if not event.contains(source.model, "after_delete", handler):
            event.listen(source.model, "after_delete", handler)


_HANDLERS: dict = {}


def rebuild_sqlite_index(connection: Connection) -> int:
    """Re-index every public object from scratch (the migration, a repair); returns the count."""
    from sqlalchemy.orm import Session

    connection.execute(text("DELETE FROM site_fts"))
    count = 0
    with Session(bind=connection) as session:
        for source in indexed_sources():
            for obj in session.scalars(select(source.model)):
                if source.is_public(obj):
                    refresh_row(connection, source, obj)
                    count += 1
    return count
