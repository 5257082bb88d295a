"""drafts: the composer's unsent text per agent and ticket, saved as the agent types

Revision ID: d3a7f2c81e54
Revises: d3a7b1c9e5f2
Create Date: 2026-12-06 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd3a7f2c81e54'
down_revision = 'd3a7b1c9e5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('internal', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'user_id', name='uq_drafts_ticket_user'),
    )
    op.create_index('ix_drafts_user_id', 'drafts', ['user_id'], unique=False)


def downgrade():
    op.drop_index('ix_drafts_user_id', table_name='drafts')
    op.drop_table('drafts')
