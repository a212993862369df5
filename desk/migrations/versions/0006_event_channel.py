"""Case events record the channel the change came through (web, api, cli, worker)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_events') as batch_op:
        batch_op.add_column(
            sa.Column('channel', sa.String(length=20), server_default='', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('case_events') as batch_op:
        batch_op.drop_column('channel')
