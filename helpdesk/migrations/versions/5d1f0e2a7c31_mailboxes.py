"""mailboxes, the failed-mail store, and what e-mail adds to messages

Revision ID: 5d1f0e2a7c31
Revises: 3c9e5b7a1d42
Create Date: 2026-11-23 19:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5d1f0e2a7c31'
down_revision = '3c9e5b7a1d42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mailboxes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('imap_host', sa.String(length=255), nullable=False),
        sa.Column('imap_port', sa.Integer(), nullable=False),
        sa.Column('imap_security', sa.String(length=16), nullable=False),
        sa.Column('imap_user', sa.String(length=320), nullable=False),
        sa.Column('imap_password_secret', sa.Text(), nullable=False),
        sa.Column('imap_folder', sa.String(length=255), nullable=False),
        sa.Column('imap_move_to', sa.String(length=255), nullable=True),
        sa.Column('smtp_host', sa.String(length=255), nullable=True),
        sa.Column('smtp_port', sa.Integer(), nullable=True),
        sa.Column('smtp_security', sa.String(length=16), nullable=False),
        sa.Column('smtp_user', sa.String(length=320), nullable=True),
        sa.Column('smtp_password_secret', sa.Text(), nullable=True),
        sa.Column('acknowledge', sa.Boolean(), nullable=False),
        sa.Column('acknowledge_template', sa.Text(), nullable=True),
        sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
        sa.Column('last_uid', sa.BigInteger(), nullable=False),
        sa.Column('last_sync_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('address'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'failed_mails',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mailbox_id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.BigInteger(), nullable=True),
        sa.Column('storage_key', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('message_id_header', sa.String(length=998), nullable=True),
        sa.Column('subject', sa.String(length=998), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('storage_key'),
    )
    op.create_index('ix_failed_mails_mailbox_id', 'failed_mails', ['mailbox_id'], unique=False)
    op.create_index('ix_failed_mails_open', 'failed_mails', ['resolved_at', 'id'], unique=False)
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('quoted_from', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signature_from', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('participants', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('raw_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_messages_provider_id', ['provider_id'], unique=False)


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_provider_id')
        for column in ('raw_key', 'participants', 'signature_from', 'quoted_from', 'sender'):
            batch_op.drop_column(column)
    op.drop_index('ix_failed_mails_open', table_name='failed_mails')
    op.drop_index('ix_failed_mails_mailbox_id', table_name='failed_mails')
    op.drop_table('failed_mails')
    op.drop_table('mailboxes')
