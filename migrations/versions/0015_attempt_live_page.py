"""attempt live page

One attempt, one live page (issue 22): each timed part's attempt row names the page that may save
to it (page_token, written when a page opens the attempt; exam.access.live_page). Existing attempts
have none: their next opened page becomes the live one.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLES = ('attempt', 'typing_attempt', 'practical_attempt')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('page_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('page_token')
