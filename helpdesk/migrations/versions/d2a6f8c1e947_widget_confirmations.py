"""widget confirmations: confirmation mails the chat widget sent, for limits that hold across processes

Revision ID: d2a6f8c1e947
Revises: c9e1f3a5b7d2
Create Date: 2026-12-06 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd2a6f8c1e947'
down_revision = 'c9e1f3a5b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'widget_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('visitor_id', sa.String(length=64), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['channel_accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_widget_confirmations_sent_at', 'widget_confirmations', ['sent_at'], unique=False)
    op.create_index('ix_widget_confirmations_address', 'widget_confirmations', ['address_hash', 'sent_at'], unique=False)
    op.create_index('ix_widget_confirmations_account', 'widget_confirmations', ['account_id', 'sent_at'], unique=False)
    op.create_index('ix_widget_confirmations_visitor', 'widget_confirmations', ['visitor_id', 'sent_at'], unique=False)


def downgrade():
    op.drop_table('widget_confirmations')
