"""item enemies

Pairs of items a trainer has decided on after the item checker (question_bank.lint) suggested that
one gives away the other's answer: "enemy" pairs never share a paper, "not_enemy" pairs are no
longer suggested.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 07:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_enemy',
    sa.Column('item_a_id', sa.Integer(), nullable=False),
    sa.Column('item_b_id', sa.Integer(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['item_a_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['item_b_id'], ['item.id'], ),
    sa.PrimaryKeyConstraint('item_a_id', 'item_b_id')
    )
    with op.batch_alter_table('item_enemy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_enemy_item_b_id'), ['item_b_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('item_enemy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_enemy_item_b_id'))
    op.drop_table('item_enemy')
