"""offline results: the tablet's times and when the server received them

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 14:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('device_submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('drill_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('drill_runs', schema=None) as batch_op:
        batch_op.drop_column('synced_at')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('synced_at')
        batch_op.drop_column('device_submitted_at')
        batch_op.drop_column('device_started_at')
