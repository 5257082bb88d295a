"""channel accounts (Telegram bots, WhatsApp numbers, Messenger pages, chat widgets)

Revision ID: c41d7a9e2b58
Revises: 8b2f4c6d9e10
Create Date: 2026-11-23 19:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c41d7a9e2b58'
down_revision = '8b2f4c6d9e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'channel_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('secrets_sealed', sa.Text(), nullable=True),
        sa.Column('cursor', sa.String(length=100), nullable=True),
        sa.Column('last_seen_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'name', name='uq_channel_accounts_kind_name'),
    )
    op.create_index('ix_channel_accounts_kind', 'channel_accounts', ['kind'], unique=False)


def downgrade():
    op.drop_index('ix_channel_accounts_kind', table_name='channel_accounts')
    op.drop_table('channel_accounts')
