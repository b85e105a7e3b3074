"""`flask search reindex`: rebuild the SQLite site index (a repair; PostgreSQL needs none)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cac_news.extensions import db


@click.group("search")
def search_cli() -> None:
    """The site search."""


@search_cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Re-index every published action report and resource (SQLite only)."""
    if db.engine.dialect.name != "sqlite":
        click.echo("PostgreSQL searches the tables themselves: nothing to rebuild.")
        return
    from cac_news.search.index import rebuild_sqlite_index

    with db.engine.begin() as connection:
        count = rebuild_sqlite_index(connection)
    click.echo(f"{count} documents indexed.")
