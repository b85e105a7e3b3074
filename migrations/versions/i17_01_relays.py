"""relays: the relay of each delivery, relay circuit state, relays entered by admins

Revision ID: i17_01
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "i17_01"
down_revision = "i11_02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "relay_state",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("circuit", sa.String(length=10), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_relay_state")),
    )
    op.create_table(
        "smtp_relay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("tls", sa.String(length=10), nullable=False),
        sa.Column("username", sa.String(length=254), nullable=True),
        sa.Column("password", sa.String(length=255), nullable=True),
        sa.Column("connections", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("hourly", sa.Integer(), nullable=False),
        sa.Column("daily", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smtp_relay")),
        sa.UniqueConstraint("name", name=op.f("uq_smtp_relay_name")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relay", sa.String(length=60), nullable=True))
        batch_op.create_index("ix_delivery_relay_sent", ["relay", "sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_relay_sent")
        batch_op.drop_column("relay")
    op.drop_table("smtp_relay")
    op.drop_table("relay_state")
