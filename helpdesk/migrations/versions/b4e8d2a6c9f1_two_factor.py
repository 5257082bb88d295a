"""two-factor sign-in: each user's TOTP secret (sealed), when it took effect, the last step used,
recovery code hashes; the roles that must use it

Revision ID: b4e8d2a6c9f1
Revises: a4d8e2f6c913
Create Date: 2026-12-07 00:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b4e8d2a6c9f1'
down_revision = 'a4d8e2f6c913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('totp_recovery', sa.JSON(), nullable=True))
    op.create_table(
        'security_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('two_factor_roles', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('security_settings')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('totp_recovery')
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_enabled_at')
        batch.drop_column('totp_secret')
