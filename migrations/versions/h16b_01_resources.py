"""library of resources, one search over letters, action reports and resources, modes the
public may choose

Revision ID: h16b_01
Revises: h15c_01
"""

import sqlalchemy as sa
from alembic import op

revision = "h16b_01"
down_revision = "h15c_01"
branch_labels = None
depends_on = None

RESOURCE_KINDS = (
    ("note-d-analyse", "Note d'analyse"),
    ("fiche", "Fiche"),
    ("tribune", "Tribune"),
    ("compte-rendu", "Compte rendu"),
    ("revue-de-presse", "Revue de presse"),
    ("video", "Vidéo"),
)
# Frozen copies of cac_news.search.sources' PostgreSQL documents: the expression indexes
# serve only queries that repeat these expressions exactly.
PG_DOCUMENTS = {
    "action_report": "title || ' ' || body_md",
    "resource": "title || ' ' || authors || ' ' || tags || ' ' || summary || ' ' || body_md",
}


def upgrade():
    with op.batch_alter_table("participation_mode", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_choice", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute("UPDATE participation_mode SET public_choice = false WHERE slug = 'pilote'")

    kinds = op.create_table(
        "resource_kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_kind")),
        sa.UniqueConstraint("slug", name=op.f("uq_resource_kind_slug")),
    )
    op.bulk_insert(
        kinds,
        [
            {"slug": slug, "name": name, "position": position}
            for position, (slug, name) in enumerate(RESOURCE_KINDS, start=1)
        ],
    )
    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("authors", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("objective", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_stored", sa.String(length=80), nullable=True),
        sa.Column("file_mime", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "objective IS NULL OR objective IN "
            "('expertise', 'local_actions', 'platform', 'organisation')",
            name=op.f("ck_resource_objective"),
        ),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_resource_status")),
        sa.ForeignKeyConstraint(
            ["kind_id"], ["resource_kind.id"], name=op.f("fk_resource_kind_id_resource_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource")),
        sa.UniqueConstraint("slug", name=op.f("uq_resource_slug")),
    )
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_kind_id"), ["kind_id"], unique=False)
        batch_op.create_index(
            "ix_resource_status_published_at", ["status", "published_at"], unique=False
        )
    create_search_index()


def create_search_index():
    """FTS5 table of the site search on SQLite (filled by cac_news.search.index), GIN
    expression indexes on PostgreSQL. Neither is a model: cac_news.database hides them."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE site_fts USING fts5(kind UNINDEXED, ref UNINDEXED, "
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        index_published_reports()
    elif dialect == "postgresql":
        for table, document in PG_DOCUMENTS.items():
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} USING gin "
                f"(to_tsvector('cac_french'::regconfig, {document}))"
            )


def index_published_reports():
    """Reports published before this migration enter the SQLite index (by raw columns, so
    that later changes to the model cannot break this revision)."""
    from cac_news.archive.search import stem_text
    from cac_news.content.markdown import markdown_text

    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, title, body_md FROM action_report WHERE published")
    ).all()
    for report_id, title, body_md in rows:
        bind.execute(
            sa.text(
                "INSERT INTO site_fts (kind, ref, title, body) "
                "VALUES ('action', :ref, :title, :body)"
            ),
            {
                "ref": report_id,
                "title": stem_text(title),
                "body": stem_text(markdown_text(body_md)),
            },
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS site_fts")
    elif dialect == "postgresql":
        for table in PG_DOCUMENTS:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_index("ix_resource_status_published_at")
        batch_op.drop_index(batch_op.f("ix_resource_kind_id"))
    op.drop_table("resource")
    op.drop_table("resource_kind")
    with op.batch_alter_table("participation_mode", schema=None) as batch_op:
        batch_op.drop_column("public_choice")
