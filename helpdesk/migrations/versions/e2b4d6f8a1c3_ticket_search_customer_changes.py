"""ticket search queue: a customer's new name or changed addresses re-index their tickets

A ticket's searchable row holds its customer's name and addresses (the people column), but only
changes to tickets, messages and tags noted the ticket in ticket_fts_queue: after an agent renamed a
customer or added a phone number, search found the tickets by the old name and not by the new one
until a full `helpdesk search reindex`. These triggers note every ticket of the customer whose name
or identities change, as the others do, inside the changing transaction.

Revision ID: e2b4d6f8a1c3
Revises: 0f53418833e1
Create Date: 2026-12-07 09:00:00
"""

from alembic import op

revision = "e2b4d6f8a1c3"
down_revision = "0f53418833e1"
branch_labels = None
depends_on = None

# (trigger name, table, event, the customer ids whose tickets are noted)
_TRIGGERS = [
    ("ticket_fts_q_customer_renamed", "customers", "UPDATE OF name", ("new.id",)),
    ("ticket_fts_q_identity_new", "identities", "INSERT", ("new.customer_id",)),
    (
        "ticket_fts_q_identity_changed",
        "identities",
        "UPDATE OF address, customer_id",
        ("new.customer_id", "old.customer_id"),
    ),
    ("ticket_fts_q_identity_gone", "identities", "DELETE", ("old.customer_id",)),
]


def _tickets_of(customer: str) -> str:
    return f"SELECT id FROM tickets WHERE customer_id = {customer}"


def _sqlite_up(bind):
    for name, table, event, customers in _TRIGGERS:
        body = " ".join(f"INSERT OR IGNORE INTO ticket_fts_queue(ticket_id) {_tickets_of(c)};" for c in customers)
        bind.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END")


def _pg_up(bind):
    for name, table, event, customers in _TRIGGERS:
        body = " ".join(
            f"INSERT INTO ticket_fts_queue(ticket_id) {_tickets_of(c)} ON CONFLICT DO NOTHING;" for c in customers
        )
        bind.exec_driver_sql(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        )
        bind.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_up(bind)
    elif bind.dialect.name == "postgresql":
        _pg_up(bind)


def downgrade():
    bind = op.get_bind()
    for name, table, _event, _customers in reversed(_TRIGGERS):
        bind.exec_driver_sql(
            f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if bind.dialect.name == "postgresql" else "")
        )
        if bind.dialect.name == "postgresql":
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
