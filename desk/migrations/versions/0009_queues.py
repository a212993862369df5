"""The adviser's queues: cases.sla_warn_at and an index for each queue and sort

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import desk.models.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('new', 'open', 'waiting')"
DONE = "status IN ('resolved', 'closed')"
INDEXES = (
    ('ix_cases_open_due', ACTIVE, ['sla_due_at', 'id']),
    ('ix_cases_open_created', ACTIVE, ['created_at', 'id']),
    ('ix_cases_open_updated', ACTIVE, ['updated_at', 'id']),
    ('ix_cases_open_team_due', ACTIVE, ['team_id', 'sla_due_at', 'id']),
    ('ix_cases_open_team_created', ACTIVE, ['team_id', 'created_at', 'id']),
    ('ix_cases_open_team_updated', ACTIVE, ['team_id', 'updated_at', 'id']),
    ('ix_cases_open_assignee_due', ACTIVE, ['assignee_id', 'sla_due_at', 'id']),
    ('ix_cases_open_authority_due', ACTIVE, ['authority_slug', 'sla_due_at', 'id']),
    ('ix_cases_done_updated', DONE, ['updated_at', 'id']),
    ('ix_cases_done_team_updated', DONE, ['team_id', 'updated_at', 'id']),
)


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('sla_warn_at', desk.models.types.UTCDateTime(timezone=True), nullable=True))
    # Backfill: a running target already warned is at risk from its warning; otherwise the
    # warning instant is not stored, so the case counts as on track until its due time (the
    # next SLA change of the case stores the real warning time).
    op.execute(
        """
        UPDATE cases SET sla_warn_at = COALESCE(
            (SELECT min(t.warned_at) FROM case_sla_targets t
             WHERE t.case_id = cases.id AND t.running_since IS NOT NULL
               AND t.met_at IS NULL AND t.warned_at IS NOT NULL),
            sla_due_at)
        WHERE sla_due_at IS NOT NULL
        """
    )
    for name, where, columns in INDEXES:
        clause = sa.text(where)
        op.create_index(
            name, 'cases', columns, postgresql_where=clause, sqlite_where=clause
        )


def downgrade() -> None:
    for name, _where, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='cases')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('sla_warn_at')
