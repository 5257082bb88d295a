"""SLA engine: calendars, policies, crossings, outcomes, recomputations, notifications; SLA columns on tickets

Revision ID: 8b2f4c6d9e10
Revises: 5d1f0e2a7c31
Create Date: 2026-11-23 19:20:00

The ticket row gets the policy in force, the next-response due time, its SLA state, its earliest due
time and when its state next changes by itself: the scheduler and the dashboard read those through
indexes instead of recomputing clocks.
"""
import sqlalchemy as sa
from alembic import op

revision = '8b2f4c6d9e10'
down_revision = '5d1f0e2a7c31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sla_calendars',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('hours', sa.JSON(), nullable=False),
        sa.Column('country', sa.String(length=8), nullable=True),
        sa.Column('subdivision', sa.String(length=16), nullable=True),
        sa.Column('holidays', sa.JSON(), nullable=False),
        sa.Column('half_days', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'sla_policies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('calendar_id', sa.Integer(), nullable=True),
        sa.Column('conditions', sa.JSON(), nullable=False),
        sa.Column('targets', sa.JSON(), nullable=False),
        sa.Column('escalations', sa.JSON(), nullable=False),
        sa.Column('email_supervisors', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['calendar_id'], ['sla_calendars.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_index('ix_sla_policies_position', 'sla_policies', ['position'], unique=False)
    op.create_table(
        'sla_crossings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=True),
        sa.Column('fired_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'target', 'kind', 'started_at', name='uq_sla_crossings_key'),
    )
    op.create_index('ix_sla_crossings_kind_fired', 'sla_crossings', ['kind', 'fired_at'], unique=False)
    op.create_table(
        'sla_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=True),
        sa.Column('due_at', sa.DateTime(), nullable=True),
        sa.Column('stopped_at', sa.DateTime(), nullable=False),
        sa.Column('stopped_on', sa.Date(), nullable=False),
        sa.Column('met', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sla_outcomes_ticket', 'sla_outcomes', ['ticket_id'], unique=False)
    op.create_index('ix_sla_outcomes_day_met', 'sla_outcomes', ['stopped_on', 'met'], unique=False)
    op.create_table(
        'sla_recomputes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notifications_user', 'notifications', ['user_id', 'id'], unique=False)
    op.create_index('ix_notifications_group', 'notifications', ['group_id', 'id'], unique=False)
    # Plain ADD COLUMN (no foreign key): SQLite needs no table copy, PostgreSQL no rewrite.
    for column in (
        sa.Column('next_response_due_at', sa.DateTime(), nullable=True),
        sa.Column('sla_policy_id', sa.Integer(), nullable=True),
        sa.Column('sla_state', sa.String(length=16), nullable=True),
        sa.Column('sla_due_at', sa.DateTime(), nullable=True),
        sa.Column('sla_check_at', sa.DateTime(), nullable=True),
    ):
        op.add_column('tickets', column)
    op.create_index('ix_tickets_next_response_due', 'tickets', ['next_response_due_at'], unique=False)
    op.create_index('ix_tickets_sla_check', 'tickets', ['sla_check_at'], unique=False)
    op.create_index('ix_tickets_sla_state_due', 'tickets', ['sla_state', 'sla_due_at'], unique=False)
    op.create_index('ix_tickets_sla_board', 'tickets',
                    ['sla_state', 'group_id', 'assignee_id', 'priority', 'channel'], unique=False)
    # Open tickets are "none" (no clock yet) until their next change recomputes them.
    op.execute("UPDATE tickets SET sla_state = 'none' WHERE status IN ('new', 'open', 'pending', 'on_hold')")


def downgrade():
    for name in ('ix_tickets_sla_board', 'ix_tickets_sla_state_due', 'ix_tickets_sla_check',
                 'ix_tickets_next_response_due'):
        op.drop_index(name, table_name='tickets')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in ('sla_check_at', 'sla_due_at', 'sla_state', 'sla_policy_id', 'next_response_due_at'):
            batch_op.drop_column(name)
    op.drop_index('ix_notifications_group', table_name='notifications')
    op.drop_index('ix_notifications_user', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('sla_recomputes')
    op.drop_index('ix_sla_outcomes_day_met', table_name='sla_outcomes')
    op.drop_index('ix_sla_outcomes_ticket', table_name='sla_outcomes')
    op.drop_table('sla_outcomes')
    op.drop_index('ix_sla_crossings_kind_fired', table_name='sla_crossings')
    op.drop_table('sla_crossings')
    op.drop_index('ix_sla_policies_position', table_name='sla_policies')
    op.drop_table('sla_policies')
    op.drop_table('sla_calendars')
