"""item title

A name for trainers beside the 编号 (Moodle's question name, GIFT's ``::Q2::``, QTI's ``title``),
kept on the item like its tags: renaming makes no version, and candidates never see it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_column('title')
