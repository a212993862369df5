"""Inbound email: every received message stored raw first, with what became of it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 01:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inbound_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=300), nullable=False),
        sa.Column('raw', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('via', sa.String(length=10), nullable=False),
        sa.Column('envelope_from', sa.String(length=300), nullable=False),
        sa.Column('envelope_to', sa.Text(), nullable=False),
        sa.Column('sender', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('case_message_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('processed_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_inbound_messages_case_id_cases'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['case_message_id'], ['case_messages.id'],
            name=op.f('fk_inbound_messages_case_message_id_case_messages'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
        sa.UniqueConstraint('message_id', name=op.f('uq_inbound_messages_message_id')),
    )
    op.create_index('ix_inbound_status_received', 'inbound_messages', ['status', 'received_at'])
    op.create_index(
        op.f('ix_inbound_messages_case_id'), 'inbound_messages', ['case_id'], unique=False
    )
    op.create_index(
        op.f('ix_inbound_messages_case_message_id'), 'inbound_messages', ['case_message_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table('inbound_messages')
