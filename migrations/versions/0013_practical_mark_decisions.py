"""practical mark decisions

An examiner's decision on each criterion the machine only suggests (the call and the complaint):
the suggestion, the points given, accept or override, and the reason for an override.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 07:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('practical_mark') as batch:
        batch.add_column(sa.Column('decisions', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('practical_mark') as batch:
        batch.drop_column('decisions')
