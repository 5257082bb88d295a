"""routing: agents' availability, capacities and skills, group assignment settings, chat offers

Revision ID: a7d3e9f1c520
Revises: a7c3e9f1b524
Create Date: 2026-12-07 03:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7d3e9f1c520'
down_revision = 'a7c3e9f1b524'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agent_availability",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("last_assigned_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "agent_capacities",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("limit", sa.Integer(), nullable=False),
    )
    op.create_table(
        "agent_skills",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
        sa.Column("level", sa.Integer(), nullable=False),
    )
    op.create_table(
        "group_routing",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("chat_capacity", sa.Integer(), nullable=False),
        sa.Column("messaging_capacity", sa.Integer(), nullable=False),
        sa.Column("ticket_capacity", sa.Integer(), nullable=False),
        sa.Column("offer_timeout", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "routing_offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_routing_offers_ticket_state", "routing_offers", ["ticket_id", "state"])
    op.create_index("ix_routing_offers_user_state", "routing_offers", ["user_id", "state"])
    op.create_index("ix_routing_offers_state_expires", "routing_offers", ["state", "expires_at"])


def downgrade():
    for name in ("routing_offers", "group_routing", "agent_skills", "agent_capacities", "agent_availability"):
        op.drop_table(name)
