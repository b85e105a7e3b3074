"""pilot accounts: two-factor login, recovery codes, session details, audit log, settings

Revision ID: h15c_01
Revises: h15a_01
"""

import sqlalchemy as sa
from alembic import op

revision = "h15c_01"
down_revision = "h15a_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pilot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("pilot_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("ip", sa.String(length=50), nullable=True))
    op.create_table(
        "pilot_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=120), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pilot_id"],
            ["pilot.id"],
            name=op.f("fk_pilot_recovery_code_pilot_id_pilot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_recovery_code")),
    )
    with op.batch_alter_table("pilot_recovery_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pilot_recovery_code_pilot_id"), ["pilot_id"], unique=False
        )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("ip", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pilot_id"],
            ["pilot.id"],
            name=op.f("fk_audit_event_pilot_id_pilot"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_pilot_id"), ["pilot_id"], unique=False)
    # The 2FA requirement is a row of the site_setting table of h13a_01.


def downgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_pilot_id"))
        batch_op.drop_index("ix_audit_event_created_at")
    op.drop_table("audit_event")
    with op.batch_alter_table("pilot_recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_recovery_code_pilot_id"))
    op.drop_table("pilot_recovery_code")
    with op.batch_alter_table("pilot_session", schema=None) as batch_op:
        batch_op.drop_column("ip")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("last_seen_at")
    with op.batch_alter_table("pilot", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
