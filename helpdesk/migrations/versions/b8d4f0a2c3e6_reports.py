"""agent performance reports: facts per credited event and daily rollups

Revision ID: b8d4f0a2c3e6
Revises: a7c3e9f1b2d4
Create Date: 2026-11-23 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b8d4f0a2c3e6'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None

COUNTS = ('assigned', 'replied', 'replies', 'first_responses', 'first_response_seconds',
          'first_response_business_seconds', 'solved', 'resolution_seconds', 'resolution_business_seconds',
          'reopened', 'sla_first_response_met', 'sla_first_response_missed', 'sla_resolution_met',
          'sla_resolution_missed')


def upgrade():
    op.create_table(
        'report_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('seconds', sa.Integer(), nullable=True),
        sa.Column('business_seconds', sa.Integer(), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('met', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'kind', 'key', name='uq_report_facts_key'),
    )
    op.create_index('ix_report_facts_kind_day', 'report_facts',
                    ['kind', 'day', 'agent_id', 'group_id', 'channel', 'priority', 'seconds', 'business_seconds'])
    op.create_index('ix_report_facts_agent_seconds', 'report_facts',
                    ['kind', 'agent_id', 'seconds', 'day', 'group_id', 'channel', 'priority'])
    op.create_index('ix_report_facts_agent_business', 'report_facts',
                    ['kind', 'agent_id', 'business_seconds', 'day', 'group_id', 'channel', 'priority'])
    op.create_index('ix_report_facts_agent_day', 'report_facts',
                    ['kind', 'agent_id', 'day', 'seconds', 'business_seconds', 'group_id', 'channel', 'priority'])
    for table, period in (('report_daily', 'day'), ('report_monthly', 'month')):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('agent_id', sa.Integer(), nullable=True),
            sa.Column('group_id', sa.Integer(), nullable=True),
            sa.Column('channel', sa.String(length=32), nullable=False),
            sa.Column('priority', sa.Integer(), nullable=False),
            *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
            sa.Column(period, sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint('id'),
        )
    op.create_index('ix_report_daily_day_agent', 'report_daily', ['day', 'agent_id'])
    op.create_index('ix_report_monthly_month_agent', 'report_monthly', ['month', 'agent_id'])


def downgrade():
    op.drop_index('ix_report_monthly_month_agent', table_name='report_monthly')
    op.drop_table('report_monthly')
    op.drop_index('ix_report_daily_day_agent', table_name='report_daily')
    op.drop_table('report_daily')
    op.drop_index('ix_report_facts_agent_day', table_name='report_facts')
    op.drop_index('ix_report_facts_agent_business', table_name='report_facts')
    op.drop_index('ix_report_facts_agent_seconds', table_name='report_facts')
    op.drop_index('ix_report_facts_kind_day', table_name='report_facts')
    op.drop_table('report_facts')
