"""message recipients: an inbound mail's To and Cc, a reply's recipient and copies (reply to all)

Revision ID: e8b3c5d7f912
Revises: e1b9c4d7a203
Create Date: 2026-12-07 00:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e8b3c5d7f912'
down_revision = 'e1b9c4d7a203'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('recipients', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('recipients')
