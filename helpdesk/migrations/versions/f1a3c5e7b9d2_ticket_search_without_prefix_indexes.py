"""ticket search on SQLite: the FTS5 table without its prefix indexes

FTS5 kept two extra indexes of every word's first 2 and 3 characters. They were 60 % of the index
(290 of 485 MB at 200,000 tickets) and more than half of the work of indexing a ticket, which every
new message repeats for its whole ticket. A prefix of 3 or more characters is found as fast without
them: FTS5 reads the range of words that start with it (`ord*`, `500*`: under a millisecond on
the same data). Ticket search now treats a last word of 2 characters as a whole word, where a
prefix index would have been needed (`re*` took 120 ms without one).

The table is filled again from ticket_search_docs and merged into one segment ('optimize'): a bulk
fill otherwise leaves merge work that the next writes do a piece at a time (re-indexing 1,050
tickets took 0.41 s of CPU after the fill, 0.13 s after merging). PostgreSQL has no such indexes.

Revision ID: f1a3c5e7b9d2
Revises: e8b2d4f6a1c9
Create Date: 2026-12-07 12:00:00
"""

from alembic import op

revision = "f1a3c5e7b9d2"
down_revision = "e8b2d4f6a1c9"
branch_labels = None
depends_on = None

_COLUMNS = "subject, people, body, grams"


def _recreate(bind, options: str) -> None:
    # The triggers that keep ticket_fts in step name it only when they run, so they stay as they are.
    bind.exec_driver_sql("DROP TABLE ticket_fts")
    bind.exec_driver_sql(
        f"CREATE VIRTUAL TABLE ticket_fts USING fts5({_COLUMNS}, content='ticket_search_docs', content_rowid='id', "
        f"tokenize='unicode61 remove_diacritics 2'{options})")
    bind.exec_driver_sql(
        f"INSERT INTO ticket_fts(rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM ticket_search_docs ORDER BY id")
    bind.exec_driver_sql("INSERT INTO ticket_fts(ticket_fts) VALUES ('optimize')")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _recreate(bind, "")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _recreate(bind, ", prefix='2 3'")
