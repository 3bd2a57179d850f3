"""drop exam_session.practical_published_at: the results are out when results_published_at says so

The column was the practical page's own publication stamp. Since issue 18 there is one publication
path (exam.sessions.results.publication) and one reader (exam.sessions.results.visibility), which
reads results_published_at only; the old column was still written in step with it but read nowhere,
so dropping it changes nothing a page shows. No data moves: a session whose only stamp is the old
one (published by the old practical-only path) already shows its results as unpublished.

Downgrade restores the column in step with results_published_at, as the code of that time kept it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.drop_column('practical_published_at')


def downgrade() -> None:
    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practical_published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE exam_session SET practical_published_at = results_published_at")
