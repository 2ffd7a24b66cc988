"""practice quizzes

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 11:34:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('topic_codes', sa.JSON(), nullable=False),
    sa.Column('blueprint', sa.JSON(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('responses', sa.JSON(), nullable=True),
    sa.Column('submission_id', sa.String(length=36), nullable=True),
    sa.Column('submission_hash', sa.String(length=64), nullable=True),
    sa.Column('item_scores', sa.JSON(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('in_progress', 'final')", name=op.f('ck_practice_quizzes_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_practice_quizzes_created_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_practice_quizzes_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_practice_quizzes_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_quizzes')),
    sa.UniqueConstraint('client_id', name=op.f('uq_practice_quizzes_client_id')),
    sa.UniqueConstraint('public_token', name=op.f('uq_practice_quizzes_public_token')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_practice_quizzes_submission_id'))
    )
    with op.batch_alter_table('practice_quizzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_quizzes_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_quizzes_worker_id'), ['worker_id'], unique=False)



def downgrade():
    with op.batch_alter_table('practice_quizzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_quizzes_worker_id'))
        batch_op.drop_index(batch_op.f('ix_practice_quizzes_enterprise_id'))

    op.drop_table('practice_quizzes')
