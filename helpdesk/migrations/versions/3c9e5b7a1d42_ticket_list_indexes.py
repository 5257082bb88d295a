"""ticket list indexes: lists without a status filter read in order

Revision ID: 3c9e5b7a1d42
Revises: afb815f9d252
Create Date: 2026-11-23 19:00:00

The `all` view (the API's default list) orders by updated_at with no status condition: an agent's
query fixes the group (one branch per group, see services.tickets.list_page), a supervisor's fixes
nothing. Without these two indexes both read and sort every ticket they may see.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c9e5b7a1d42'
down_revision = 'afb815f9d252'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_group_updated', ['group_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_tickets_updated', ['updated_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_updated')
        batch_op.drop_index('ix_tickets_group_updated')
