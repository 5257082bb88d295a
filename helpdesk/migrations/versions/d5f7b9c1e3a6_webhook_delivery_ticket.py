"""webhook deliveries name their ticket, so one ticket's deliveries to an endpoint go out in order

Revision ID: d5f7b9c1e3a6
Revises: c3e5a7b9d1f4
Create Date: 2026-12-07 06:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd5f7b9c1e3a6'
down_revision = 'c3e5a7b9d1f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_deliveries') as batch:
        batch.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch.create_index('ix_webhook_deliveries_webhook_ticket', ['webhook_id', 'ticket_id', 'id'])


def downgrade():
    with op.batch_alter_table('webhook_deliveries') as batch:
        batch.drop_index('ix_webhook_deliveries_webhook_ticket')
        batch.drop_column('ticket_id')
