"""item media

Pictures an item's stem shows, stored once under the SHA-256 of their bytes (item_media), and which
versions show which (item_version_media): a frozen paper's version keeps its pictures, since the
foreign key refuses to delete a picture any version shows.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 15:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_media',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('item_version_media',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['item_media.sha256'], ),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], ),
    sa.PrimaryKeyConstraint('version_id', 'sha256')
    )
    with op.batch_alter_table('item_version_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_version_media_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('item_version_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_version_media_sha256'))
    op.drop_table('item_version_media')
    op.drop_table('item_media')
