"""typing test

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:22:02.744135
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('typing_passage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('char_count', sa.Integer(), nullable=False),
    sa.Column('rare_share', sa.Float(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('typing_passage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typing_passage_level'), ['level'], unique=False)

    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('hostname', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('registered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_session_id'), ['session_id'], unique=False)

    op.create_table('typing_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('passage_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('submit_reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('typed', sa.Text(), server_default='', nullable=False),
    sa.Column('typed_seq', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('saved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('correct_chars', sa.Integer(), nullable=True),
    sa.Column('typed_chars', sa.Integer(), nullable=True),
    sa.Column('net_cpm', sa.Float(), nullable=True),
    sa.Column('gross_cpm', sa.Float(), nullable=True),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['passage_id'], ['typing_passage.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'candidate_id', name='uq_typing_attempt_candidate')
    )
    with op.batch_alter_table('typing_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typing_attempt_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_typing_attempt_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_typing_attempt_status_deadline', ['status', 'deadline'], unique=False)

    op.create_table('station_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('activity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('window_end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('keystrokes', sa.Integer(), nullable=False),
    sa.Column('char_keys', sa.Integer(), nullable=False),
    sa.Column('injected', sa.Integer(), nullable=False),
    sa.Column('intervals', sa.JSON(), nullable=False),
    sa.Column('shortcuts', sa.JSON(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('station_summary', schema=None) as batch_op:
        batch_op.create_index('ix_station_summary_attempt', ['activity', 'attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_station_summary_station_id'), ['station_id'], unique=False)

    op.create_table('typing_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['typing_attempt.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attempt_id', 'client_id', name='uq_typing_event_client')
    )
    with op.batch_alter_table('typing_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typing_event_attempt_id'), ['attempt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('typing_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typing_event_attempt_id'))

    op.drop_table('typing_event')
    with op.batch_alter_table('station_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_summary_station_id'))
        batch_op.drop_index('ix_station_summary_attempt')

    op.drop_table('station_summary')
    with op.batch_alter_table('typing_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_typing_attempt_status_deadline')
        batch_op.drop_index(batch_op.f('ix_typing_attempt_session_id'))
        batch_op.drop_index(batch_op.f('ix_typing_attempt_candidate_id'))

    op.drop_table('typing_attempt')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_session_id'))

    op.drop_table('station')
    with op.batch_alter_table('typing_passage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typing_passage_level'))

    op.drop_table('typing_passage')
