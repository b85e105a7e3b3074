"""a version number on newsletters: a save from a stale copy of a draft is refused

Revision ID: h13d_01
Revises: h16b_01
"""

import sqlalchemy as sa
from alembic import op

revision = "h13d_01"
down_revision = "h16b_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("newsletter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("newsletter", schema=None) as batch_op:
        batch_op.drop_column("version")
