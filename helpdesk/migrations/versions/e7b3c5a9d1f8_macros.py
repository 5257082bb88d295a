"""macros: canned replies with placeholders, translations and actions; personal, group or shared

Revision ID: e7b3c5a9d1f8
Revises: e8b3c5d7f912
Create Date: 2026-12-07 00:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e7b3c5a9d1f8'
down_revision = 'e8b3c5d7f912'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'macros',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('translations', sa.JSON(), nullable=False),
        sa.Column('actions', sa.JSON(), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('usage_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_macros_scope_group', 'macros', ['scope', 'group_id'], unique=False)
    op.create_index('ix_macros_scope_owner', 'macros', ['scope', 'owner_id'], unique=False)


def downgrade():
    op.drop_index('ix_macros_scope_owner', table_name='macros')
    op.drop_index('ix_macros_scope_group', table_name='macros')
    op.drop_table('macros')
