"""bank generation

One row (``bank_generation``, id 1) whose ``value`` triggers change whenever anything a paper draw reads from the
bank changes: ``item`` (status), ``item_version`` (the current version, its area, kind, difficulty),
``item_version_level`` (the levels a version serves) and ``item_enemy`` (confirmed enemy pairs). A
start keeps the approved pool of its level per process under (database, epoch, generation, level)
and reads only this row to know the pool it keeps is still the bank's (``question_bank.pool_cache``).

Triggers rather than ORM events: they see every write path — the ORM, Core statements, bank imports,
raw SQL, another process — and bump the counter inside the writing transaction itself.

- PostgreSQL: one plpgsql function, BEFORE … FOR EACH STATEMENT triggers (INSERT, UPDATE, DELETE and
  TRUNCATE). BEFORE, so a bank-writing transaction takes the counter's row lock before the row locks
  of its first bank statement: concurrent bank writers queue on that one row in one order instead of
  deadlocking over each other's rows (bank writes are rare; starts only read the row).
- SQLite: AFTER INSERT / UPDATE / DELETE … FOR EACH ROW triggers (SQLite has no statement triggers;
  its one writer makes the order moot).

Each change writes a new *random* value rather than ``value + 1``: a counter would hand out the same
number again after a rollback (a transaction that changed the bank and drew a paper before rolling
back leaves a pool kept under a number the next committed change reuses) or after a restore from a
backup; a random 64-bit (SQLite) or 53-bit (PostgreSQL) value is never expected to repeat. ``epoch``
is a random token written when the row is created, so a database rebuilt under the same URL (a fresh
``db upgrade``, whose counter starts at 0 again) never matches a key a running process kept from the
old one.

SQLite drops a table's triggers with the table: a later batch migration that rebuilds one of these
four tables on SQLite must create its three triggers again (``tests/integration/test_bank_generation.py``
checks every table's triggers at head, on both databases).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 18:10:00.000000
"""
import secrets

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

#: The tables the approved pool (``question_bank.service.approved_pool``) and the enemy pairs
#: (``question_bank.enemies.enemy_versions``) read.
TABLES = ("item", "item_version", "item_version_level", "item_enemy")
BUMP = {"postgresql": "UPDATE bank_generation SET value = floor(random() * 9007199254740992)::bigint WHERE id = 1",
        "sqlite": "UPDATE bank_generation SET value = random() WHERE id = 1"}


def upgrade() -> None:
    op.create_table('bank_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('epoch', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name='ck_bank_generation_one_row'),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute(sa.text("INSERT INTO bank_generation (id, epoch, value) VALUES (1, :epoch, 0)")
               .bindparams(epoch=secrets.token_hex(16)))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION bank_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {BUMP['postgresql']}; RETURN NULL; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_bank_generation BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bank_generation_bump()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"CREATE TRIGGER {table}_bank_generation_{event} AFTER {event.upper()} ON {table} "
                           f"FOR EACH ROW BEGIN {BUMP['sqlite']}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_bank_generation ON {table}")
        op.execute("DROP FUNCTION bank_generation_bump()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_bank_generation_{event}")
    op.drop_table('bank_generation')
