"""Attachments (stored behind the storage interface), a request's workplaces, and the web
form's one-time submission key (one case per submission)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 23:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A unique index, not a constraint: SQLite adds it without rebuilding the cases table.
    op.add_column('cases', sa.Column('submission_key', sa.String(length=64), nullable=True))
    op.create_index('ix_cases_submission_key', 'cases', ['submission_key'], unique=True)
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_kind', sa.String(length=20), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['message_id'],
            ['case_messages.id'],
            name=op.f('fk_attachments_message_id_case_messages'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key')),
    )
    op.create_index('ix_attachments_case', 'attachments', ['case_id', 'id'])
    op.create_index('ix_attachments_message_id', 'attachments', ['message_id'])
    op.create_table(
        'case_workplaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sa.String(length=3), nullable=True),
        sa.Column('municipality_text', sa.String(length=100), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_case_workplaces_case_id_cases'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['municipality_code'],
            ['municipalities.code'],
            name=op.f('fk_case_workplaces_municipality_code_municipalities'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_workplaces')),
    )
    op.create_index(
        'ix_case_workplaces_case', 'case_workplaces', ['case_id', 'position'], unique=True
    )
    op.create_index(
        'ix_case_workplaces_municipality_code', 'case_workplaces', ['municipality_code']
    )


def downgrade() -> None:
    op.drop_table('case_workplaces')
    op.drop_table('attachments')
    op.drop_index('ix_cases_submission_key', table_name='cases')
    op.drop_column('cases', 'submission_key')
