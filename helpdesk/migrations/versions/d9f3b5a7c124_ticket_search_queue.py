"""ticket search queue: triggers note each changed ticket in ticket_fts_queue, indexed in batches

Indexing a ticket right after each change cost ingestion two thirds of its speed (re-reading the
ticket and writing its index row, one transaction per message); a trigger's one-row insert in the
changing transaction costs almost nothing and is never lost. The queue is drained in batches by
`helpdesk.services.search.indexing.drain` (after changes, at most every half second per process,
and before every search, so a search always sees every committed change).

Revision ID: d9f3b5a7c124
Revises: c8e2a4f6b913
Create Date: 2026-12-07 01:35:00
"""
from alembic import op

revision = 'd9f3b5a7c124'
down_revision = 'c8e2a4f6b913'
branch_labels = None
depends_on = None

# (trigger name, table, event, the ticket id from the row)
_TRIGGERS = [
    ("ticket_fts_q_ticket_new", "tickets", "INSERT", "new.id"),
    ("ticket_fts_q_ticket_changed", "tickets", "UPDATE OF subject, customer_id", "new.id"),
    ("ticket_fts_q_message_new", "messages", "INSERT", "new.ticket_id"),
    ("ticket_fts_q_message_changed", "messages", "UPDATE OF body_text, ticket_id", "new.ticket_id"),
    ("ticket_fts_q_message_moved", "messages", "UPDATE OF ticket_id", "old.ticket_id"),
    ("ticket_fts_q_tag_new", "ticket_tags", "INSERT", "new.ticket_id"),
    ("ticket_fts_q_tag_gone", "ticket_tags", "DELETE", "old.ticket_id"),
]


def _sqlite_up(bind):
    bind.exec_driver_sql("CREATE TABLE ticket_fts_queue (ticket_id INTEGER NOT NULL PRIMARY KEY)")
    for name, table, event, value in _TRIGGERS:
        bind.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
                             f"INSERT OR IGNORE INTO ticket_fts_queue(ticket_id) VALUES ({value}); END")


def _pg_up(bind):
    bind.exec_driver_sql("CREATE TABLE ticket_fts_queue (ticket_id INTEGER NOT NULL PRIMARY KEY)")
    for name, table, event, value in _TRIGGERS:
        bind.exec_driver_sql(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO ticket_fts_queue(ticket_id) VALUES ({value}) ON CONFLICT DO NOTHING; RETURN NULL; END $$")
        bind.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_up(bind)
    elif bind.dialect.name == "postgresql":
        _pg_up(bind)


def downgrade():
    bind = op.get_bind()
    for name, table, _event, _value in reversed(_TRIGGERS):
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if bind.dialect.name == "postgresql" else ""))
        if bind.dialect.name == "postgresql":
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    bind.exec_driver_sql("DROP TABLE IF EXISTS ticket_fts_queue")
