"""customer portal: sign-in links, portal sessions, the organization manager flag

Revision ID: a7c3e9f1b524
Revises: a3c5e7f9b214
Create Date: 2026-12-07 03:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e9f1b524'
down_revision = 'a3c5e7f9b214'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('org_manager', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'portal_sign_ins',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('customer_id', sa.Integer(), sa.ForeignKey('customers.id', ondelete='CASCADE'), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('via', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_portal_sign_ins_customer', 'portal_sign_ins', ['customer_id', 'created_at'])
    op.create_table(
        'portal_sessions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('customer_id', sa.Integer(), sa.ForeignKey('customers.id', ondelete='CASCADE'), nullable=False),
        sa.Column('key_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_portal_sessions_customer_id', 'portal_sessions', ['customer_id'])


def downgrade():
    op.drop_index('ix_portal_sessions_customer_id', table_name='portal_sessions')
    op.drop_table('portal_sessions')
    op.drop_index('ix_portal_sign_ins_customer', table_name='portal_sign_ins')
    op.drop_table('portal_sign_ins')
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('org_manager')

