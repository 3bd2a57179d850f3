"""certificates

The certificate register and its number counters (certificates.models): one row per certificate
ever issued, unique per candidate, level and revision, with the links of a reissue both ways.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 19:58:38.585668
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_counter',
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('holder_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('id_masked', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('theory_score', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('practical_score', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('typing_cpm', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.Text(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_made_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['issued_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['certificate.id'], ),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificate.id'], ),
    sa.ForeignKeyConstraint(['revoked_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('candidate_id', 'level', 'revision', name='uq_certificate_candidate_level'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_session_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_candidate_id'))

    op.drop_table('certificate')
    op.drop_table('certificate_counter')
