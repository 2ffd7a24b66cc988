"""topic tallies

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('topic_tallies',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('role_code', sa.String(length=64), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'],
                            name=op.f('fk_topic_tallies_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_tallies_topic_id_topics')),
    sa.PrimaryKeyConstraint('enterprise_id', 'role_code', 'topic_id', 'month', name=op.f('pk_topic_tallies'))
    )
    backfill_tallies()


def backfill_tallies():
    """Answers recorded before this table existed, counted per enterprise, role, topic and month over the
    results in force (a result a final correction replaced is left out)."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        month = "CAST(date_trunc('month', i.answered_on) AS DATE)"
    else:
        month = "date(i.answered_on, 'start of month')"
    bind.execute(sa.text(
        "INSERT INTO topic_tallies (enterprise_id, role_code, topic_id, month, answers, points) "
        f"SELECT i.enterprise_id, i.role_code, t.topic_id, {month}, count(*), sum(i.fraction) "
        "FROM attempt_items i JOIN question_version_topics t ON t.version_id = i.version_id "
        "WHERE i.attempt_id NOT IN (SELECT a.corrects_id FROM attempts a "
        "WHERE a.corrects_id IS NOT NULL AND a.status = 'final') "
        f"GROUP BY i.enterprise_id, i.role_code, t.topic_id, {month}"))


def downgrade():
    op.drop_table('topic_tallies')
