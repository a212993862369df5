"""Working a case: resolution category, follow-up date and its reminder

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('resolution_category', sa.String(length=30), nullable=True))
        batch.add_column(sa.Column('follow_up_at', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('follow_up_reminded_at', UTCDateTime(timezone=True), nullable=True))
    # Only the reminders still to send: the sweep's range scan stays small at any size.
    op.create_index(
        'ix_cases_follow_up_due',
        'cases',
        ['follow_up_at'],
        postgresql_where=sa.text('follow_up_reminded_at IS NULL'),
        sqlite_where=sa.text('follow_up_reminded_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_cases_follow_up_due', table_name='cases')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('follow_up_reminded_at')
        batch.drop_column('follow_up_at')
        batch.drop_column('resolution_category')
