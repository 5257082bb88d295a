"""satisfaction surveys: settings per kind, templates per language, surveys sent and answered

Revision ID: a7c3e9f1b2d4
Revises: e5a8c2d4f613
Create Date: 2026-11-23 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e9f1b2d4'
down_revision = 'e5a8c2d4f613'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('delay_minutes', sa.Integer(), nullable=False),
        sa.Column('channels', sa.JSON(), nullable=False),
        sa.Column('min_days_between', sa.Integer(), nullable=False),
        sa.Column('expiry_days', sa.Integer(), nullable=False),
        sa.Column('follow_up', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind'),
    )
    op.create_table(
        'survey_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('question', sa.String(length=500), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'language', name='uq_survey_templates_kind_language'),
    )
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('solved_at', sa.DateTime(), nullable=False),
        sa.Column('sla_first_response_met', sa.Boolean(), nullable=True),
        sa.Column('sla_resolution_met', sa.Boolean(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('skip_reason', sa.String(length=200), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('reference', sa.String(length=24), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('scheduled_for', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('responded_at', sa.DateTime(), nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('follow_up_done', sa.String(length=16), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['users.id']),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id']),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id']),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'kind', 'solved_at', name='uq_surveys_solve'),
        sa.UniqueConstraint('token_hash'),
        sa.UniqueConstraint('reference'),
    )
    op.create_index('ix_surveys_due', 'surveys', ['state', 'scheduled_for'], unique=False)
    op.create_index('ix_surveys_customer', 'surveys', ['customer_id', 'kind', 'sent_at'], unique=False)
    op.create_index('ix_surveys_sent', 'surveys', ['sent_at'], unique=False)
    op.create_index('ix_surveys_responded', 'surveys', ['responded_at'], unique=False)
    op.create_index('ix_surveys_message', 'surveys', ['message_id'], unique=False)


def downgrade():
    for name in ('ix_surveys_message', 'ix_surveys_responded', 'ix_surveys_sent', 'ix_surveys_customer', 'ix_surveys_due'):
        op.drop_index(name, table_name='surveys')
    op.drop_table('surveys')
    op.drop_table('survey_templates')
    op.drop_table('survey_settings')
