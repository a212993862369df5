"""Indexes for the reports: cases by received instant and team, targets by met and due

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:40:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_cases_created_team', 'cases', ['created_at', 'team_id'])
    op.create_index('ix_case_sla_targets_met_at', 'case_sla_targets', ['met_at'])
    op.create_index('ix_case_sla_targets_due_at', 'case_sla_targets', ['due_at'])


def downgrade() -> None:
    op.drop_index('ix_case_sla_targets_due_at', table_name='case_sla_targets')
    op.drop_index('ix_case_sla_targets_met_at', table_name='case_sla_targets')
    op.drop_index('ix_cases_created_team', table_name='cases')
