"""personal notifications get a read state; staff choose whether they also come by e-mail

Revision ID: f1c4a6e8b302
Revises: f4c2a8d6b1e3
Create Date: 2026-12-07 00:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f1c4a6e8b302'
down_revision = 'f4c2a8d6b1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))
    op.create_index('ix_notifications_unread', 'notifications', ['user_id', 'read_at'])
    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('notification_preferences')
    op.drop_index('ix_notifications_unread', table_name='notifications')
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('read_at')
