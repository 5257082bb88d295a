"""triggers and custom fields; the priority/routing rules become triggers

Every priority rule becomes a trigger on `ticket.created` (origin "rule", same id, order, name,
active and stop flags) whose conditions and actions say what the rule said, so new tickets are
triaged exactly as before; /admin/rules keeps editing them.

Revision ID: f7a1c3e5b9d2
Revises: a7d3e9f1c520
Create Date: 2026-12-07 03:30:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = 'f7a1c3e5b9d2'
down_revision = 'a7d3e9f1c520'
branch_labels = None
depends_on = None

PRIORITY_NAMES = {0: "low", 1: "normal", 2: "high", 3: "urgent"}
RULE_FIELDS = (("channel", "channel"), ("tier", "customer.tier"), ("keywords", "text"), ("group", "group"),
               ("sender_priority", "sender_priority"))


def _conditions(conditions: dict) -> list:
    return [{"field": field, "op": "contains" if key == "keywords" else "in", "value": list(conditions[key])}
            for key, field in RULE_FIELDS if conditions.get(key)]


def _actions(set_priority, set_group_id) -> list:
    actions = []
    if set_priority is not None:
        actions.append({"type": "set", "field": "priority", "value": PRIORITY_NAMES[set_priority]})
    if set_group_id is not None:
        actions.append({"type": "set", "field": "group_id", "value": set_group_id})
    return actions


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def upgrade():
    op.create_table(
        'custom_fields',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('required_to_solve', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('entity', 'key', name='uq_custom_fields_entity_key'),
    )
    op.create_table(
        'custom_values',
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=1000), nullable=False),
        sa.Column('number', sa.Float(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['field_id'], ['custom_fields.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('field_id', 'object_id'),
    )
    op.create_index('ix_custom_values_field_value', 'custom_values', ['field_id', 'value', 'object_id'], unique=False)
    triggers = op.create_table(
        'triggers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('match_all', sa.JSON(), nullable=False),
        sa.Column('match_any', sa.JSON(), nullable=False),
        sa.Column('actions', sa.JSON(), nullable=False),
        sa.Column('stop', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_triggers_event_position', 'triggers', ['event', 'position', 'id'], unique=False)
    op.create_table(
        'trigger_firings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trigger_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('event_key', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trigger_id'], ['triggers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('trigger_id', 'ticket_id', 'event_key', name='uq_trigger_firings'),
    )
    op.create_index('ix_trigger_firings_ticket_id', 'trigger_firings', ['ticket_id'], unique=False)

    bind = op.get_bind()
    rules = bind.execute(sa.text("SELECT id, position, name, active, conditions, set_priority, set_group_id, stop "
                                 "FROM priority_rules ORDER BY id")).mappings().all()
    now = sa.func.now() if bind.dialect.name == "postgresql" else sa.text("CURRENT_TIMESTAMP")
    for rule in rules:
        op.execute(triggers.insert().values(
            id=rule["id"], origin="rule", position=rule["position"], name=rule["name"], active=rule["active"],
            event="ticket.created", match_all=_conditions(_json(rule["conditions"])), match_any=[],
            actions=_actions(rule["set_priority"], rule["set_group_id"]), stop=rule["stop"],
            created_at=now, updated_at=now))
    if bind.dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('triggers', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM triggers")
    with op.batch_alter_table('priority_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_priority_rules_position')
    op.drop_table('priority_rules')


def downgrade():
    rules = op.create_table(
        'priority_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('conditions', sa.JSON(), nullable=False),
        sa.Column('set_priority', sa.Integer(), nullable=True),
        sa.Column('set_group_id', sa.Integer(), nullable=True),
        sa.Column('stop', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['set_group_id'], ['groups.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_priority_rules_position', 'priority_rules', ['position'], unique=False)
    fields = {field: key for key, field in RULE_FIELDS}
    ranks = {name: rank for rank, name in PRIORITY_NAMES.items()}
    for row in op.get_bind().execute(sa.text("SELECT id, position, name, active, match_all, actions, stop FROM triggers "
                                              "WHERE origin = 'rule'")).mappings().all():
        actions = {a.get("field"): a.get("value") for a in _json(row["actions"]) if a.get("type") == "set"}
        op.execute(rules.insert().values(
            id=row["id"], position=row["position"], name=row["name"], active=row["active"], stop=row["stop"],
            conditions={fields[c["field"]]: c["value"] for c in _json(row["match_all"]) if c.get("field") in fields},
            set_priority=ranks.get(actions.get("priority")), set_group_id=actions.get("group_id")))
    op.drop_table('trigger_firings')
    op.drop_index('ix_triggers_event_position', table_name='triggers')
    op.drop_table('triggers')
    op.drop_index('ix_custom_values_field_value', table_name='custom_values')
    op.drop_table('custom_values')
    op.drop_table('custom_fields')
