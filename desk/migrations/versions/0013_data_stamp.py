"""The stamp of rarely changing data, for the per-process caches (desk.services.stable_data)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:55:00
"""
from collections.abc import Sequence
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamps = op.create_table(
        'data_stamps',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_stamps')),
    )
    op.bulk_insert(stamps, [{'name': 'stable', 'token': uuid4().hex}])


def downgrade() -> None:
    op.drop_table('data_stamps')
