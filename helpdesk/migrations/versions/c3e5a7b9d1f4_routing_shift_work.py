"""routing remembers the work each agent took in the current shift (fair skills routing)

Revision ID: c3e5a7b9d1f4
Revises: a7e1c3d5f902
Create Date: 2026-12-07 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3e5a7b9d1f4'
down_revision = 'a7e1c3d5f902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agent_availability') as batch:
        batch.add_column(sa.Column('shift_started_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('shift_work', sa.Float(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('agent_availability') as batch:
        batch.drop_column('shift_work')
        batch.drop_column('shift_started_at')
