"""attempt take-overs

The proctoring board shows when an attempt was open in two windows at once (issue 22): each timed
part's attempt row counts the pages that were still open after another page had taken the attempt
over (page_takeovers), when that was last seen (page_taken_over_at) and the last such page's token
(page_superseded, so one stale page counts once). exam.access.live_page.note_superseded writes them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TABLES = ('attempt', 'typing_attempt', 'practical_attempt')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('page_takeovers', sa.Integer(), server_default='0', nullable=False))
            batch_op.add_column(sa.Column('page_taken_over_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column('page_superseded', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('page_superseded')
            batch_op.drop_column('page_taken_over_at')
            batch_op.drop_column('page_takeovers')
