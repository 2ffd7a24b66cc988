"""question versions get a random draw key, indexed with their type

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# A random integer in [0, 2**31) for every existing version, in each database's own dialect.
RANDOM_KEY = {
    "sqlite": "abs(random()) % 2147483648",
    "postgresql": "floor(random() * 2147483648)::integer",
}


def upgrade():
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw_key', sa.Integer(), nullable=True))
    op.execute(f"UPDATE question_versions SET draw_key = {RANDOM_KEY[op.get_bind().dialect.name]}")
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.alter_column('draw_key', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_question_versions_type_draw_key', ['type', 'draw_key'], unique=False)


def downgrade():
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_question_versions_type_draw_key')
        batch_op.drop_column('draw_key')
