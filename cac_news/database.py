"""Engine set-up that depends on the database in use."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine_events(engine: Engine) -> None:
    """On SQLite: WAL, enforced foreign keys and a busy timeout on every connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def is_postgresql(engine: Engine) -> bool:
    """Tell whether the engine talks to PostgreSQL (row locks, full-text search)."""
    return engine.dialect.name == "postgresql"


# Full-text search objects created by the migrations outside the models (FTS5 virtual
# table and its shadow tables on SQLite, expression GIN index on PostgreSQL).
SEARCH_TABLE_PREFIXES = ("archive_fts", "site_fts")
SEARCH_INDEXES = {
    "ix_archived_copy_search",
    "ix_action_report_search",
    "ix_resource_search",
    "ix_event_search",
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the full-text search objects out of model comparisons."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIXES):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)
