"""staff accounts: language, last sign-in, rights version; token revocation and last address;
single-use account links (invitations, password resets); the audit log's address, channel, before
and after

Revision ID: d3a7c1e9f5b2
Revises: e7b3c5a9d1f8
Create Date: 2026-12-07 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'd3a7c1e9f5b2'
down_revision = 'e7b3c5a9d1f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('rights_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('last_used_ip', sa.String(length=45), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    op.create_table(
        'account_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_account_links_user_id', 'account_links', ['user_id'], unique=False)
    with op.batch_alter_table('audit_entries') as batch:
        batch.alter_column('target_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('ip', sa.String(length=45), nullable=True))
        batch.add_column(sa.Column('via', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('before', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('after', sa.JSON(), nullable=True))
    op.create_index('ix_audit_entries_created_at', 'audit_entries', ['created_at'], unique=False)
    op.create_index('ix_audit_entries_action', 'audit_entries', ['action', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_audit_entries_action', table_name='audit_entries')
    op.drop_index('ix_audit_entries_created_at', table_name='audit_entries')
    with op.batch_alter_table('audit_entries') as batch:
        batch.drop_column('after')
        batch.drop_column('before')
        batch.drop_column('via')
        batch.drop_column('ip')
        batch.alter_column('target_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index('ix_account_links_user_id', table_name='account_links')
    op.drop_table('account_links')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('last_used_ip')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('rights_version')
        batch.drop_column('last_login_at')
        batch.drop_column('language')
