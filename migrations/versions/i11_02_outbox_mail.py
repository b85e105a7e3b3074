"""outbox of transactional mails sent by the worker

Revision ID: i11_02
Revises: i11_01
"""

import sqlalchemy as sa
from alembic import op

revision = "i11_02"
down_revision = "i11_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mail")),
    )
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_mail_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_mail_email_sent", ["email", "sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_mail_email_sent")
        batch_op.drop_index("ix_outbox_mail_due")
    op.drop_table("outbox_mail")
