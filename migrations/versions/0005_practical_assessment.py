"""practical assessment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:51:26.335871
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('phrase_list',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('practical_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('practical_scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practical_scenario_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_practical_scenario_level'), ['level'], unique=False)

    op.create_table('practical_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('ticket', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('submit_reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('score', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'candidate_id', name='uq_practical_attempt_candidate'),
    sa.UniqueConstraint('ticket')
    )
    with op.batch_alter_table('practical_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practical_attempt_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practical_attempt_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_practical_attempt_status_deadline', ['status', 'deadline'], unique=False)

    op.create_table('practical_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['practical_attempt.id'], ),
    sa.ForeignKeyConstraint(['marker_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attempt_id', 'position', 'round', name='uq_practical_mark_round')
    )
    with op.batch_alter_table('practical_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practical_mark_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('practical_task',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('answer_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('saved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('auto', sa.JSON(), nullable=True),
    sa.Column('auto_points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('manual_points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['practical_attempt.id'], ),
    sa.ForeignKeyConstraint(['scenario_id'], ['practical_scenario.id'], ),
    sa.PrimaryKeyConstraint('attempt_id', 'position')
    )
    with op.batch_alter_table('practical_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practical_task_scenario_id'), ['scenario_id'], unique=False)

    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practical_published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('double_marking', sa.Boolean(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.drop_column('double_marking')
        batch_op.drop_column('practical_published_at')

    with op.batch_alter_table('practical_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practical_task_scenario_id'))

    op.drop_table('practical_task')
    with op.batch_alter_table('practical_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practical_mark_attempt_id'))

    op.drop_table('practical_mark')
    with op.batch_alter_table('practical_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_practical_attempt_status_deadline')
        batch_op.drop_index(batch_op.f('ix_practical_attempt_session_id'))
        batch_op.drop_index(batch_op.f('ix_practical_attempt_candidate_id'))

    op.drop_table('practical_attempt')
    with op.batch_alter_table('practical_scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practical_scenario_level'))
        batch_op.drop_index(batch_op.f('ix_practical_scenario_kind'))

    op.drop_table('practical_scenario')
    op.drop_table('phrase_list')
