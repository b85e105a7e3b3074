"""a subscriber may belong to a région without a département

Revision ID: i10b_01
Revises: i11_02
"""

import sqlalchemy as sa
from alembic import op

revision = "i10b_01"
# Chained after the i11 migrations already on this branch (a second head after "0008"
# would stop `upgrade`); the lead re-chains at merge.
down_revision = "i14_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=4), nullable=True))
        batch_op.create_index(batch_op.f("ix_subscriber_region_code"), ["region_code"])
        batch_op.create_foreign_key(
            batch_op.f("fk_subscriber_region_code_territory"),
            "territory",
            ["region_code"],
            ["code"],
        )


def downgrade():
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_subscriber_region_code_territory"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_subscriber_region_code"))
        batch_op.drop_column("region_code")
