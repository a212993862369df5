"""Public pages: a case's own email choice and the satisfaction survey's answers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_email_choices',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=20), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_email_choices_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_email_choices'))
    )
    op.create_table('satisfaction_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_satisfaction_responses_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_responses')),
    sa.UniqueConstraint('case_id', name=op.f('uq_satisfaction_responses_case_id'))
    )
    op.create_index('ix_satisfaction_responses_created_at', 'satisfaction_responses', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_satisfaction_responses_created_at', table_name='satisfaction_responses')
    op.drop_table('satisfaction_responses')
    op.drop_table('case_email_choices')
