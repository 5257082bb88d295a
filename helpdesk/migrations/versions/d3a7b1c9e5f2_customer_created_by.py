"""customer created_by: who created a customer by hand, so an agent may see it before it has a ticket

Revision ID: d3a7b1c9e5f2
Revises: d2a6f8c1e947
Create Date: 2026-12-06 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd3a7b1c9e5f2'
down_revision = 'd2a6f8c1e947'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_customers_created_by_id_users', 'users', ['created_by_id'], ['id'],
                                 ondelete='SET NULL')
        batch.create_index('ix_customers_created_by_id', ['created_by_id'])


def downgrade():
    with op.batch_alter_table('customers') as batch:
        batch.drop_index('ix_customers_created_by_id')
        batch.drop_constraint('fk_customers_created_by_id_users', type_='foreignkey')
        batch.drop_column('created_by_id')
