"""the agenda: events, their kinds, "À vos agendas" sections of letters

Revision ID: h16c_01
Revises: h19_01
"""

import sqlalchemy as sa
from alembic import op

revision = "h16c_01"
down_revision = "h19_01"
branch_labels = None
depends_on = None

EVENT_KINDS = (
    ("reunion-du-groupe", "Réunion du groupe"),
    ("webinaire", "Webinaire"),
    ("mobilisation", "Mobilisation"),
    ("assemblee", "Assemblée"),
    ("formation", "Formation"),
)
# Frozen copy of cac_news.search.sources' PostgreSQL document of events: the expression
# index serves only queries that repeat this expression exactly.
PG_EVENT_DOCUMENT = "title || ' ' || place || ' ' || description_md"


def upgrade():
    kinds = op.create_table(
        "event_kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_kind")),
        sa.UniqueConstraint("slug", name=op.f("uq_event_kind_slug")),
    )
    op.bulk_insert(
        kinds,
        [
            {"slug": slug, "name": name, "position": position}
            for position, (slug, name) in enumerate(EVENT_KINDS, start=1)
        ],
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("territory_code", sa.String(length=4), nullable=False),
        sa.Column("description_md", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at >= starts_at", name=op.f("ck_event_ends_after_start")
        ),
        sa.CheckConstraint(
            "NOT all_day OR (start_date IS NOT NULL AND end_date IS NOT NULL)",
            name=op.f("ck_event_all_day"),
        ),
        sa.ForeignKeyConstraint(
            ["kind_id"], ["event_kind.id"], name=op.f("fk_event_kind_id_event_kind")
        ),
        sa.ForeignKeyConstraint(
            ["territory_code"], ["territory.code"], name=op.f("fk_event_territory_code_territory")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_kind_id"), ["kind_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_territory_code"), ["territory_code"], unique=False
        )
        batch_op.create_index("ix_event_internal_starts_at", ["internal", "starts_at"])

    with op.batch_alter_table("newsletter_section", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_newsletter_section_event_id"), ["event_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_newsletter_section_event_id_event"),
            "event",
            ["event_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_newsletter_section_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_newsletter_section_kind"),
            "kind IN ('roadmap_update', 'action_report', 'event', 'text')",
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_event_search ON event USING gin "
            f"(to_tsvector('cac_french'::regconfig, {PG_EVENT_DOCUMENT}))"
        )
    # SQLite: the table is new and empty, nothing to add to site_fts.


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_event_search")
    elif dialect == "sqlite":
        op.execute("DELETE FROM site_fts WHERE kind = 'event'")
    op.execute("DELETE FROM newsletter_section WHERE kind = 'event'")
    with op.batch_alter_table("newsletter_section", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_newsletter_section_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_newsletter_section_kind"),
            "kind IN ('roadmap_update', 'action_report', 'text')",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_newsletter_section_event_id_event"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_newsletter_section_event_id"))
        batch_op.drop_column("event_id")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_internal_starts_at")
        batch_op.drop_index(batch_op.f("ix_event_territory_code"))
        batch_op.drop_index(batch_op.f("ix_event_kind_id"))
    op.drop_table("event")
    op.drop_table("event_kind")
