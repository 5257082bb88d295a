"""the e-mail address a chat visitor gave in the pre-chat form, kept on the customer as unverified

Revision ID: b7e1d3f5a820
Revises: b4e8d2a6c9f1
Create Date: 2026-12-07 00:58:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7e1d3f5a820'
down_revision = 'b4e8d2a6c9f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('unverified_email', sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('unverified_email')
