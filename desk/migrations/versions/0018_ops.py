"""Operations: staff changes (who changed whom, what, when), imported employers, and the
request id of each outbox row

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 01:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('request_id', sa.String(length=128), nullable=True))
    op.create_table(
        'staff_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['actor_id'], ['users.id'], name=op.f('fk_staff_changes_actor_id_users'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_staff_changes_user_id_users'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['team_id'], ['teams.id'], name=op.f('fk_staff_changes_team_id_teams'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_changes')),
    )
    op.create_index(op.f('ix_staff_changes_user_id'), 'staff_changes', ['user_id'], unique=False)
    op.create_table(
        'employers',
        sa.Column('business_id', sa.String(length=9), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('municipality_code', sa.String(length=3), nullable=True),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['municipality_code'], ['municipalities.code'],
            name=op.f('fk_employers_municipality_code_municipalities'),
        ),
        sa.PrimaryKeyConstraint('business_id', name=op.f('pk_employers')),
    )


def downgrade() -> None:
    op.drop_table('employers')
    op.drop_index(op.f('ix_staff_changes_user_id'), table_name='staff_changes')
    op.drop_table('staff_changes')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('request_id')
