"""typing evidence and review

The typing test's own evidence (issue 15): the text's growth at every save on the server's clock
(typing_growth), what the server's checks found (typing_attempt.server_flags), Han characters typed
correctly, and the 待核查 review an examiner decides (review, review_note, reviewed_by, reviewed_at).
Existing attempts keep their scores; they have no growth log and no flags.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('typing_growth',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('chars', sa.Integer(), nullable=False),
    sa.Column('han', sa.Integer(), nullable=False),
    sa.Column('keydowns', sa.Integer(), nullable=False),
    sa.Column('committed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['typing_attempt.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('typing_growth', schema=None) as batch_op:
        batch_op.create_index('ix_typing_growth_attempt', ['attempt_id', 'at'], unique=False)

    with op.batch_alter_table('typing_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('server_flags', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('correct_han', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key('fk_typing_attempt_reviewed_by', 'user_account', ['reviewed_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('typing_attempt', schema=None) as batch_op:
        batch_op.drop_constraint('fk_typing_attempt_reviewed_by', type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('review_note')
        batch_op.drop_column('review')
        batch_op.drop_column('correct_han')
        batch_op.drop_column('server_flags')

    with op.batch_alter_table('typing_growth', schema=None) as batch_op:
        batch_op.drop_index('ix_typing_growth_attempt')

    op.drop_table('typing_growth')
