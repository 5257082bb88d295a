"""tickets by priority (and group): search's priority filter reads the ids from the index alone

`priority:urgent password` joins the urgent tickets to the matches of `password`. No index led with
the priority, so PostgreSQL read the whole tickets table for the 10,024 urgent ones: a sequential
scan of a table larger than a quarter of shared buffers goes through a small ring of buffers, so
its 4,887 pages were read from outside shared buffers every time (44-80 ms at load 5-8). With this
index the ids come from an index-only scan (0.8 ms); with the group an agent's groups are read
from it too.

Revision ID: 0f53418833e1
Revises: a4c6e8f0b2d5
Create Date: 2026-12-07 09:10:00
"""

from alembic import op

revision = "0f53418833e1"
down_revision = "a4c6e8f0b2d5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_tickets_priority_group", "tickets", ["priority", "group_id", "id"])


def downgrade():
    op.drop_index("ix_tickets_priority_group", table_name="tickets")
