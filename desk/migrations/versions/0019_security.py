"""Staff sign-in security: session versions, failed sign-ins and lockout, TOTP second
factor and its recovery codes

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 01:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(
            sa.Column('session_version', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(
            sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash')),
    )
    op.create_index('ix_recovery_codes_user_id', 'recovery_codes', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_recovery_codes_user_id', table_name='recovery_codes')
    op.drop_table('recovery_codes')
    # Native DROP COLUMN (SQLite 3.35+): a batch rebuild of "users" would cascade into
    # team_members with foreign keys on.
    for column in ('totp_last_step', 'totp_secret', 'locked_until', 'failed_sign_ins',
                   'session_version'):
        op.drop_column('users', column)
