"""discussion lists: lists, members, posts and their per-member deliveries

Revision ID: h19_01
Revises: h13d_01
"""

import sqlalchemy as sa
from alembic import op

revision = "h19_01"
down_revision = "h13d_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discussion_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("local_part", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("posting_policy", sa.String(length=10), nullable=False),
        sa.Column("reply_policy", sa.String(length=10), nullable=False),
        sa.Column("subject_prefix", sa.String(length=40), nullable=False),
        sa.Column("footer", sa.Text(), nullable=False),
        sa.Column("max_bytes", sa.Integer(), nullable=False),
        sa.Column("archive", sa.String(length=10), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("mode_slugs", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("held_notice_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "posting_policy IN ('members', 'moderated', 'announce')",
            name=op.f("ck_discussion_list_posting_policy"),
        ),
        sa.CheckConstraint(
            "reply_policy IN ('list', 'author')", name=op.f("ck_discussion_list_reply_policy")
        ),
        sa.CheckConstraint(
            "archive IN ('public', 'members', 'off')", name=op.f("ck_discussion_list_archive")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segment.id"],
            name=op.f("fk_discussion_list_segment_id_segment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_list")),
        sa.UniqueConstraint("local_part", name=op.f("uq_discussion_list_local_part")),
        sa.UniqueConstraint("name", name=op.f("uq_discussion_list_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_discussion_list_slug")),
    )
    op.create_table(
        "list_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("delivery_mode", sa.String(length=10), nullable=False),
        sa.Column("consent_source", sa.String(length=16), nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.Column("digest_sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('invited', 'active', 'left')", name=op.f("ck_list_member_status")
        ),
        sa.CheckConstraint(
            "delivery_mode IN ('each', 'daily', 'weekly')",
            name=op.f("ck_list_member_delivery_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["discussion_list.id"],
            name=op.f("fk_list_member_list_id_discussion_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
            name=op.f("fk_list_member_subscriber_id_subscriber"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_member")),
        sa.UniqueConstraint("list_id", "subscriber_id", name="uq_list_member"),
    )
    op.create_index(
        op.f("ix_list_member_subscriber_id"), "list_member", ["subscriber_id"], unique=False
    )
    op.create_table(
        "list_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("hold_reason", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("in_reply_to", sa.String(length=250), nullable=False),
        sa.Column("references", sa.Text(), nullable=False),
        sa.Column("thread_key", sa.String(length=250), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("digested", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('held', 'accepted', 'rejected', 'discarded', 'expired', 'dropped')",
            name=op.f("ck_list_post_status"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["pilot.id"],
            name=op.f("fk_list_post_decided_by_pilot"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["discussion_list.id"],
            name=op.f("fk_list_post_list_id_discussion_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_post")),
    )
    op.create_index(
        "ix_list_post_list_status", "list_post", ["list_id", "status", "received_at"], unique=False
    )
    op.create_index(op.f("ix_list_post_message_id"), "list_post", ["message_id"], unique=False)
    op.create_index("ix_list_post_thread", "list_post", ["list_id", "thread_key"], unique=False)
    op.create_table(
        "list_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("digest_post_ids", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("smtp_text", sa.String(length=500), nullable=True),
        sa.Column("relay", sa.String(length=60), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'retrying', 'skipped')",
            name=op.f("ck_list_delivery_status"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["discussion_list.id"],
            name=op.f("fk_list_delivery_list_id_discussion_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["list_post.id"],
            name=op.f("fk_list_delivery_post_id_list_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
            name=op.f("fk_list_delivery_subscriber_id_subscriber"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_delivery")),
        sa.UniqueConstraint("post_id", "subscriber_id", name="uq_list_delivery"),
    )
    op.create_index(
        "ix_list_delivery_due", "list_delivery", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(
        op.f("ix_list_delivery_subscriber_id"), "list_delivery", ["subscriber_id"], unique=False
    )
    op.create_index(
        "ix_list_delivery_relay_sent", "list_delivery", ["relay", "sent_at"], unique=False
    )


def downgrade():
    op.drop_table("list_delivery")
    op.drop_table("list_post")
    op.drop_table("list_member")
    op.drop_table("discussion_list")
