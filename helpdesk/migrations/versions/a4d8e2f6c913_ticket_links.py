"""links between related tickets, and between a ticket and the one split from it

Revision ID: a4d8e2f6c913
Revises: a9d2e6f1c3b7
Create Date: 2026-12-07 00:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a4d8e2f6c913'
down_revision = 'a9d2e6f1c3b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ticket_links',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('linked_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['linked_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ticket_id', 'linked_id'),
    )
    op.create_index(op.f('ix_ticket_links_linked_id'), 'ticket_links', ['linked_id'])


def downgrade():
    op.drop_table('ticket_links')
