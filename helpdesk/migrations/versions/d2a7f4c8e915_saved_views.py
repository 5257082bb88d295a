"""saved views of the ticket list, each user's order of them, and an index their counts read

Revision ID: d2a7f4c8e915
Revises: d3a7f2c81e54
Create Date: 2026-12-06 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd2a7f4c8e915'
down_revision = 'd3a7f2c81e54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('sort', sa.String(length=16), nullable=False),
        sa.Column('columns', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_saved_views_owner', 'saved_views', ['owner_id'])
    op.create_index('ix_saved_views_shared', 'saved_views', ['shared'])
    op.create_table(
        'saved_view_positions',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('view_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['view_id'], ['saved_views.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'view_id'),
    )
    op.create_index(op.f('ix_saved_view_positions_view_id'), 'saved_view_positions', ['view_id'])
    op.create_index('ix_tickets_view_counts', 'tickets', ['group_id', 'status', 'priority', 'channel', 'assignee_id'])


def downgrade():
    op.drop_index('ix_tickets_view_counts', table_name='tickets')
    op.drop_table('saved_view_positions')
    op.drop_table('saved_views')
