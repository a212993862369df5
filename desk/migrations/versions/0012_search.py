"""Full-text search: tsvector columns with GIN indexes on PostgreSQL, an FTS5 table with
triggers on SQLite (desk/models/search_index.py), backfilled; cases by Business ID and time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:20:00
"""
from collections.abc import Sequence

from alembic import op

from desk.models import search_index as si

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The employer's whole picture: a Business ID's cases, newest first.
    op.create_index('ix_cases_business_created', 'cases', ['business_id', 'created_at'])
    if op.get_bind().dialect.name == 'postgresql':
        # Adding a stored generated column computes it for every existing row (the backfill).
        op.execute(
            f'ALTER TABLE cases ADD COLUMN {si.VECTOR_COLUMN} tsvector '
            f'GENERATED ALWAYS AS ({si.PG_CASE_VECTOR}) STORED'
        )
        op.execute(
            f'ALTER TABLE case_messages ADD COLUMN {si.VECTOR_COLUMN} tsvector '
            f'GENERATED ALWAYS AS ({si.PG_MESSAGE_VECTOR}) STORED'
        )
        op.execute(f'CREATE INDEX {si.PG_INDEXES[0]} ON cases USING gin ({si.VECTOR_COLUMN})')
        op.execute(
            f'CREATE INDEX {si.PG_INDEXES[1]} ON case_messages USING gin ({si.VECTOR_COLUMN})'
        )
        return
    op.execute(si.SQLITE_TABLE)
    for statement in si.SQLITE_BACKFILL:
        op.execute(statement)
    for statement in si.SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for index in si.PG_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {index}')
        op.execute(f'ALTER TABLE case_messages DROP COLUMN {si.VECTOR_COLUMN}')
        op.execute(f'ALTER TABLE cases DROP COLUMN {si.VECTOR_COLUMN}')
    else:
        for trigger in si.SQLITE_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute(f'DROP TABLE IF EXISTS {si.FTS_TABLE}')
    op.drop_index('ix_cases_business_created', table_name='cases')
