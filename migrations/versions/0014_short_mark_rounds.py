"""short answer marking rounds

Each examiner's marking of a short answer per round (double marking like the practical), with the
points per 评分要点; manual_mark stays the agreed mark the grade uses. Existing marks become round 1.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'short_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('marker_id', sa.Integer(), nullable=True),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('comment', sa.Text(), server_default='', nullable=False),
        sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id']),
        sa.ForeignKeyConstraint(['marker_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('attempt_id', 'position', 'round', name='uq_short_mark_round'),
    )
    op.create_index(op.f('ix_short_mark_attempt_id'), 'short_mark', ['attempt_id'], unique=False)
    op.execute("INSERT INTO short_mark (attempt_id, position, round, marker_id, criteria, points, comment, marked_at) "
               "SELECT attempt_id, position, 1, marker_id, '{}', points, comment, marked_at FROM manual_mark")


def downgrade() -> None:
    op.drop_index(op.f('ix_short_mark_attempt_id'), table_name='short_mark')
    op.drop_table('short_mark')
