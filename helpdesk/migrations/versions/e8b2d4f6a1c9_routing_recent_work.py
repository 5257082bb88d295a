"""routing evens out each agent's recent work (fading within about an hour), not the shift's total

Revision ID: e8b2d4f6a1c9
Revises: e2b4d6f8a1c3
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e8b2d4f6a1c9"
down_revision = "e2b4d6f8a1c3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agent_availability") as batch:
        batch.add_column(sa.Column("recent_work", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("recent_work_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("agent_availability") as batch:
        batch.drop_column("recent_work_at")
        batch.drop_column("recent_work")
