"""pilot sessions: one row per login, so logout and password changes end them

Revision ID: i12_01
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "i12_01"
down_revision = "i10b_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pilot_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pilot_id"],
            ["pilot.id"],
            name=op.f("fk_pilot_session_pilot_id_pilot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_session")),
        sa.UniqueConstraint("token", name=op.f("uq_pilot_session_token")),
    )
    with op.batch_alter_table("pilot_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilot_session_pilot_id"), ["pilot_id"], unique=False)


def downgrade():
    with op.batch_alter_table("pilot_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_session_pilot_id"))
    op.drop_table("pilot_session")
