"""certificate verify throttle

Public certificate look-ups and PDF checks per address and per number (certificates.throttle), kept
for one window, so the look-up limits hold across server workers and machines.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 20:05:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_verify_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('matched', sa.Boolean(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('certificate_verify_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_verify_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_verify_attempt_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_verify_attempt_number'), ['number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('certificate_verify_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_verify_attempt_number'))
        batch_op.drop_index(batch_op.f('ix_certificate_verify_attempt_ip'))
        batch_op.drop_index(batch_op.f('ix_certificate_verify_attempt_at'))

    op.drop_table('certificate_verify_attempt')
