"""topics: discovered topics, stored models (plain arrays), each ticket's topic, settings

Revision ID: a3c5e7f9b214
Revises: e2f4a6c8d015
Create Date: 2026-12-07 03:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a3c5e7f9b214'
down_revision = 'e2f4a6c8d015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'topics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=True),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['merged_into_id'], ['topics.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'topic_models',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fitted_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('words', sa.JSON(), nullable=False),
        sa.Column('idf', sa.LargeBinary(), nullable=False),
        sa.Column('components', sa.LargeBinary(), nullable=False),
        sa.Column('row_topics', sa.JSON(), nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'ticket_topics',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ticket_id'),
    )
    op.create_index('ix_ticket_topics_topic', 'ticket_topics', ['topic_id', 'ticket_id'])
    op.create_table(
        'topic_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topics', sa.Integer(), nullable=False),
        sa.Column('window_days', sa.Integer(), nullable=False),
        sa.Column('max_tickets', sa.Integer(), nullable=False),
        sa.Column('tag_tickets', sa.Boolean(), nullable=False),
        sa.Column('refit_hours', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('topic_settings')
    op.drop_index('ix_ticket_topics_topic', table_name='ticket_topics')
    op.drop_table('ticket_topics')
    op.drop_table('topic_models')
    op.drop_table('topics')
