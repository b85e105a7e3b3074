"""bounce verification: how each bounce was tied to a message of ours

Revision ID: i11_01
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "i11_01"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bounce", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matched_by", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("bounce", schema=None) as batch_op:
        batch_op.drop_column("verified")
        batch_op.drop_column("matched_by")
