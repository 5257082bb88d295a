"""settings revision: one token that changes with every change of rules, groups and SLA settings

Revision ID: c9e1f3a5b7d2
Revises: b8d4f0a2c3e6
Create Date: 2026-11-24 01:00:00
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = 'c9e1f3a5b7d2'
down_revision = 'b8d4f0a2c3e6'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'settings_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'token': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('settings_revision')
