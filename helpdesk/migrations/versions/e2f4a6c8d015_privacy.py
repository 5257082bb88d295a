"""privacy: consent per customer and purpose (with history), erasure requests, retention policies
per channel, and when a customer was erased

Revision ID: e2f4a6c8d015
Revises: a3c5e7f9b120
Create Date: 2026-12-07 03:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e2f4a6c8d015'
down_revision = 'a3c5e7f9b120'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_consents_customer_purpose", "consents", ["customer_id", "purpose", "id"])
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_erasure_requests_state", "erasure_requests", ["state", "id"])
    op.create_index("ix_erasure_requests_customer_id", "erasure_requests", ["customer_id"])
    op.create_table(
        "retention_policies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False, unique=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("erased_at")
    op.drop_table("retention_policies")
    op.drop_index("ix_erasure_requests_customer_id", "erasure_requests")
    op.drop_index("ix_erasure_requests_state", "erasure_requests")
    op.drop_table("erasure_requests")
    op.drop_index("ix_consents_customer_purpose", "consents")
    op.drop_table("consents")
