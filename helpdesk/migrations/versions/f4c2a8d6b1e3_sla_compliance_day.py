"""SLA outcomes count on the day compliance counts them: a met target when it stopped, a missed one
when it breached (also while it still runs, then without stopped_at)

Revision ID: f4c2a8d6b1e3
Revises: d3a7c1e9f5b2
Create Date: 2026-12-07 00:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f4c2a8d6b1e3'
down_revision = 'd3a7c1e9f5b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sla_outcomes') as batch:
        batch.add_column(sa.Column('counted_on', sa.Date(), nullable=True))
    # Missed targets move to the day they breached; rows of breached targets still running appear
    # at each ticket's next recomputation (any change of the ticket, or of the SLA settings).
    op.execute("UPDATE sla_outcomes SET counted_on = CASE WHEN met OR due_at IS NULL THEN stopped_on "
               "ELSE DATE(due_at) END")
    op.drop_index('ix_sla_outcomes_day_met', table_name='sla_outcomes')
    with op.batch_alter_table('sla_outcomes') as batch:
        batch.alter_column('counted_on', existing_type=sa.Date(), nullable=False)
        batch.alter_column('stopped_at', existing_type=sa.DateTime(), nullable=True)
        batch.drop_column('stopped_on')
    op.create_index('ix_sla_outcomes_counted', 'sla_outcomes', ['counted_on', 'met'], unique=False)


def downgrade():
    op.drop_index('ix_sla_outcomes_counted', table_name='sla_outcomes')
    op.execute("DELETE FROM sla_outcomes WHERE stopped_at IS NULL")
    with op.batch_alter_table('sla_outcomes') as batch:
        batch.add_column(sa.Column('stopped_on', sa.Date(), nullable=True))
    op.execute("UPDATE sla_outcomes SET stopped_on = DATE(stopped_at)")
    with op.batch_alter_table('sla_outcomes') as batch:
        batch.alter_column('stopped_on', existing_type=sa.Date(), nullable=False)
        batch.alter_column('stopped_at', existing_type=sa.DateTime(), nullable=False)
        batch.drop_column('counted_on')
    op.create_index('ix_sla_outcomes_day_met', 'sla_outcomes', ['stopped_on', 'met'], unique=False)
