"""question bank: five item types, levels per version, review status, tags, categories, comments,
examiner marks for short answers.

Existing items keep their meaning: a live item becomes ``approved`` (it was already reaching papers),
a retired one ``retired``; each version's single level moves to ``item_version_level``; authored
text is passed through the sanitiser the bank now applies to everything it stores.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:13:22.090219
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    op.create_table('item_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('item_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_comment_item_id'), ['item_id'], unique=False)

    op.create_table('item_tag',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.PrimaryKeyConstraint('item_id', 'tag')
    )
    with op.batch_alter_table('item_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_tag_tag'), ['tag'], unique=False)

    op.create_table('item_version_level',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['item_version.id'], ),
    sa.PrimaryKeyConstraint('version_id', 'level')
    )
    with op.batch_alter_table('item_version_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_version_level_level'), ['level'], unique=False)

    op.create_table('manual_mark',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('points', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], ),
    sa.ForeignKeyConstraint(['marker_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('attempt_id', 'position')
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.alter_column('value',
               existing_type=sa.VARCHAR(length=64),
               type_=sa.Text(),
               existing_nullable=False)

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default='draft'))
        batch_op.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_item_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_status'), ['status'], unique=False)
        batch_op.create_foreign_key('fk_item_category_id', 'item_category', ['category_id'], ['id'])
    op.execute("UPDATE item SET status = CASE WHEN retired THEN 'retired' ELSE 'approved' END")
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_column('retired')

    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scoring', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default='all'))
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
        batch_op.alter_column('stem',
               existing_type=sa.VARCHAR(),
               type_=sa.Text(),
               existing_nullable=False)
        batch_op.alter_column('explanation',
               existing_type=sa.VARCHAR(),
               type_=sa.Text(),
               existing_nullable=False)
        batch_op.drop_index(batch_op.f('ix_item_version_level_area'))
        batch_op.create_index('ix_item_version_area_kind', ['area', 'kind'], unique=False)
    op.execute("INSERT INTO item_version_level (version_id, level) SELECT id, level FROM item_version")
    _sanitise_text()
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.drop_column('level')


def _sanitise_text() -> None:
    from question_bank.sanitise import clean
    conn = op.get_bind()
    versions = sa.table('item_version', sa.column('id', sa.Integer), sa.column('stem', sa.Text),
                        sa.column('options', sa.JSON), sa.column('explanation', sa.Text))
    for row in conn.execute(sa.select(versions)).mappings().all():
        cleaned = {"stem": clean(row["stem"]), "options": [clean(o) for o in row["options"]],
                   "explanation": clean(row["explanation"])}
        if cleaned != {k: row[k] for k in cleaned}:
            conn.execute(versions.update().where(versions.c.id == row["id"]).values(**cleaned))


def downgrade() -> None:
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.VARCHAR(length=16), nullable=False, server_default='junior'))
    op.execute("UPDATE item_version SET level = (SELECT MIN(l.level) FROM item_version_level l "
               "WHERE l.version_id = item_version.id)")
    with op.batch_alter_table('item_version', schema=None) as batch_op:
        batch_op.drop_index('ix_item_version_area_kind')
        batch_op.create_index(batch_op.f('ix_item_version_level_area'), ['level', 'area'], unique=False)
        batch_op.alter_column('explanation',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(),
               existing_nullable=False)
        batch_op.alter_column('stem',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(),
               existing_nullable=False)
        batch_op.drop_column('source')
        batch_op.drop_column('scoring')

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired', sa.BOOLEAN(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE item SET retired = (status <> 'approved')")
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_constraint('fk_item_category_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_item_status'))
        batch_op.drop_index(batch_op.f('ix_item_category_id'))
        batch_op.drop_column('category_id')
        batch_op.drop_column('status')

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.alter_column('value',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=64),
               existing_nullable=False)

    op.drop_table('manual_mark')
    with op.batch_alter_table('item_version_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_version_level_level'))

    op.drop_table('item_version_level')
    with op.batch_alter_table('item_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_tag_tag'))

    op.drop_table('item_tag')
    with op.batch_alter_table('item_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_comment_item_id'))

    op.drop_table('item_comment')
    op.drop_table('item_category')
