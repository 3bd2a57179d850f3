"""practical rules versions: frozen QA tasks keep the rules their candidates saw; scenario versions

The QA task's written coaching comments are now marked by an examiner (1/3 of the task; the marks
against the reference keep 2/3). Papers drawn before this revision froze a QA task whose rules were
"the machine marks everything, the comments are not scored" — and their candidates were told so on
the page ("评语不计分").

Choice: **leave them as they were, clearly versioned** — rather than rescale them. Every QA task
already in the database gets ``rules_version: 1`` in its frozen spec, and ``practical.kinds.qa``
scores a version-1 task exactly as before (no examiner share, the comments not scored); papers drawn
from now on carry ``rules_version: 2`` (``practical.service.draw_paper``). Why not rescale: a
submitted task's machine points would drop by a third and wait for an examiner to mark comments
written under the promise that they would not count, so submitted, marked and published scores
would change (or become incomplete) silently; an attempt still open would change its rules under
the candidate's feet. Nothing else of a frozen task changes: its auto points, rubric (empty) and
marks stay as they are.

``practical_scenario.version`` counts a scenario's content versions (1 for every row here): a
trainer's edit and the stock refresh (``practical.stock_sync``) each make a new version; a paper
keeps the copy it froze.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_tasks = sa.table('practical_task', sa.column('attempt_id', sa.Integer), sa.column('position', sa.Integer),
                  sa.column('kind', sa.String), sa.column('spec', sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('practical_scenario') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_tasks.c.attempt_id, _tasks.c.position, _tasks.c.spec)
                        .where(_tasks.c.kind == 'qa')).all()
    for row in rows:
        spec = dict(row.spec or {})
        if 'rules_version' in spec:
            continue
        spec['rules_version'] = 1
        conn.execute(sa.update(_tasks).where(_tasks.c.attempt_id == row.attempt_id,
                                             _tasks.c.position == row.position).values(spec=spec))


def downgrade() -> None:
    # The version-1 stamps stay: the code before this revision ignores rules_version and scores every
    # QA task by version 1's rules, which is what a stamped task means.
    with op.batch_alter_table('practical_scenario') as batch:
        batch.drop_column('version')
