"""calls: phone calls from CTI accounts and their events (one row per call and event kind)

Revision ID: a3c5e7f9b120
Revises: d9f3b5a7c124
Create Date: 2026-12-07 03:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a3c5e7f9b120'
down_revision = 'd9f3b5a7c124'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("channel_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("from_number", sa.String(32)),
        sa.Column("to_number", sa.String(32)),
        sa.Column("queue", sa.String(100)),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="SET NULL")),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="SET NULL")),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("agent_ref", sa.String(320)),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime()),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("talk_seconds", sa.Integer()),
        sa.Column("cause", sa.String(32)),
        sa.Column("voicemail", sa.Boolean(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="SET NULL")),
        sa.Column("logged_at", sa.DateTime()),
        sa.UniqueConstraint("account_id", "external_id", name="uq_calls_account_external"),
    )
    op.create_index("ix_calls_started", "calls", ["started_at"])
    op.create_index("ix_calls_customer", "calls", ["customer_id", "started_at"])
    op.create_index("ix_calls_agent", "calls", ["agent_id", "started_at"])
    op.create_index("ix_calls_ticket_id", "calls", ["ticket_id"])
    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("call_id", "kind", name="uq_call_events_call_kind"),
    )


def downgrade():
    op.drop_table("call_events")
    op.drop_table("calls")
