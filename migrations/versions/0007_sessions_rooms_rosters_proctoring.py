"""sessions rooms rosters proctoring

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:16:51.348507
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('candidate_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('employer', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('id_number')
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['reported_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_session_id'), ['session_id'], unique=False)

    op.create_table('integrity_signal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('part', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('integrity_signal', schema=None) as batch_op:
        batch_op.create_index('ix_integrity_signal_session_candidate', ['session_id', 'candidate_id'], unique=False)

    op.create_table('session_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'code', name='uq_session_event')
    )
    with op.batch_alter_table('session_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_event_session_id'), ['session_id'], unique=False)

    op.create_table('session_examiner',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('examiner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['examiner_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('session_id', 'examiner_id')
    )
    with op.batch_alter_table('session_examiner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_examiner_examiner_id'), ['examiner_id'], unique=False)

    op.create_table('session_room',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('session_id', 'room_id')
    )
    with op.batch_alter_table('session_room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_room_room_id'), ['room_id'], unique=False)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('extra_seconds', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('room_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seat_no', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signed_in_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_enrollment_seat', ['session_id', 'room_id', 'seat_no'])
        batch_op.create_unique_constraint('uq_enrollment_ticket', ['ticket_number'])
        batch_op.create_foreign_key('fk_enrollment_room', 'room', ['room_id'], ['id'])

    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practical_opens_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('practical_closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('practical_scenarios', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('access_rules', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('signin_mode', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='password', nullable=False))
        batch_op.add_column(sa.Column('results_release', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='immediate', nullable=False))
        batch_op.add_column(sa.Column('results_publish_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('practical_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('extra_seconds', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('typing_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('extra_seconds', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('typing_attempt', schema=None) as batch_op:
        batch_op.drop_column('extra_seconds')
        batch_op.drop_column('paused_at')

    with op.batch_alter_table('practical_attempt', schema=None) as batch_op:
        batch_op.drop_column('extra_seconds')
        batch_op.drop_column('paused_at')

    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.drop_column('notes')
        batch_op.drop_column('results_published_at')
        batch_op.drop_column('results_publish_at')
        batch_op.drop_column('results_release')
        batch_op.drop_column('signin_mode')
        batch_op.drop_column('access_rules')
        batch_op.drop_column('practical_scenarios')
        batch_op.drop_column('practical_closes_at')
        batch_op.drop_column('practical_opens_at')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_enrollment_room', type_='foreignkey')
        batch_op.drop_constraint('uq_enrollment_ticket', type_='unique')
        batch_op.drop_constraint('uq_enrollment_seat', type_='unique')
        batch_op.drop_column('signed_in_at')
        batch_op.drop_column('seat_no')
        batch_op.drop_column('room_id')
        batch_op.drop_column('ticket_number')

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('extra_seconds')
        batch_op.drop_column('paused_at')

    with op.batch_alter_table('session_room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_room_room_id'))

    op.drop_table('session_room')
    with op.batch_alter_table('session_examiner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_examiner_examiner_id'))

    op.drop_table('session_examiner')
    with op.batch_alter_table('session_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_event_session_id'))

    op.drop_table('session_event')
    with op.batch_alter_table('integrity_signal', schema=None) as batch_op:
        batch_op.drop_index('ix_integrity_signal_session_candidate')

    op.drop_table('integrity_signal')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_session_id'))

    op.drop_table('incident')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    op.drop_table('candidate_profile')
    op.drop_table('room')
