"""audit hash chain

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:35:08.100483
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_audit_event_seq', ['seq'])
    _chain_existing_rows()



def _chain_existing_rows() -> None:
    """Entries written before the chain existed join it in the order they were written."""
    import json

    from exam.audit.chain import GENESIS, entry_hash
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, at, actor_id, action, subject_type, subject_id, detail "
                                "FROM audit_event ORDER BY id")).all()
    prev = GENESIS
    for seq, row in enumerate(rows, 1):
        detail = row.detail if isinstance(row.detail, dict) else json.loads(row.detail)
        at = row.at
        if not hasattr(at, "isoformat"):
            import datetime as dt
            at = dt.datetime.fromisoformat(str(at))
        digest = entry_hash(seq, prev, at, row.actor_id, row.action, row.subject_type, row.subject_id, detail)
        conn.execute(sa.text("UPDATE audit_event SET seq = :s, prev_hash = :p, hash = :h WHERE id = :i"),
                     {"s": seq, "p": prev, "h": digest, "i": row.id})
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_event_seq', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

