"""paper blueprints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:27:13.662081
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('paper_blueprint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('fixed_paper', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('paper_blueprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_blueprint_level'), ['level'], unique=False)

    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blueprint_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paper', sa.JSON(), nullable=True))
        batch_op.create_foreign_key('fk_exam_session_blueprint_id', 'paper_blueprint', ['blueprint_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.drop_constraint('fk_exam_session_blueprint_id', type_='foreignkey')
        batch_op.drop_column('paper')
        batch_op.drop_column('blueprint_id')

    with op.batch_alter_table('paper_blueprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_blueprint_level'))

    op.drop_table('paper_blueprint')
