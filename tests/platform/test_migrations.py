"""Migrations build the whole schema on an empty database and match the models."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from cac_news import create_app
from cac_news.database import include_object
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Territory
from tests.fixtures.database import PG_URI, USING_POSTGRESQL, base_config


@pytest.fixture
def empty_database_uri(tmp_path):
    """A brand-new empty database: a SQLite file, or a new PostgreSQL database."""
    if not USING_POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"cac_news_migration_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URI, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URI.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_on_an_empty_database_seeds_reference_data(empty_database_uri, tmp_path):
    app = create_app(base_config(tmp_path, empty_database_uri))
    with app.app_context():
        upgrade()
        kinds = dict(
            db.session.execute(select(Territory.kind, func.count()).group_by(Territory.kind)).all()
        )
        assert kinds == {"departement": 101, "region": 18, "national": 1}
        corse_sud = db.session.get(Territory, "2A")
        assert corse_sud.region_code == "R94"
        slugs = db.session.scalars(select(ParticipationMode.slug)).all()
        assert {"pilote", "groupe-de-travail", "relais-local", "information"} <= set(slugs)
        db.session.remove()
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """A model change without its migration fails here."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []
