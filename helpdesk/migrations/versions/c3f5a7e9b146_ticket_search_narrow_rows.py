"""ticket search: PostgreSQL keeps each ticket's search row narrow (text and vector out of line); tickets by creation time

A search reads every matching row of ticket_search_docs from the heap (the GIN index gives row
addresses; the ids and visibility are in the heap). With the default TOAST target (~2 kB) a row
kept its text and vector inline, two rows per page: a word in 5,500 tickets read ~5,000 pages.
With a target of 128 bytes the text and vector move to the TOAST table and ~16 rows share a page
(the heap of 200,000 tickets: 258 MB -> 98 MB), so the matches' pages stay in shared buffers.
Rows written before this revision keep their layout until re-indexed (`helpdesk search reindex`)
or rewritten (`VACUUM FULL ticket_search_docs`).

ix_tickets_created: a search with `created>2026-11-01` read every ticket (a sequential scan,
80 ms at 200,000 tickets) to find the month's.

Revision ID: c3f5a7e9b146
Revises: d5f7b9c1e3a6
Create Date: 2026-12-07 06:40:00
"""
from alembic import op

revision = 'c3f5a7e9b146'
down_revision = 'd5f7b9c1e3a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_tickets_created", "tickets", ["created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ticket_search_docs SET (toast_tuple_target = 128)")


def downgrade():
    op.drop_index("ix_tickets_created", table_name="tickets")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ticket_search_docs RESET (toast_tuple_target)")
