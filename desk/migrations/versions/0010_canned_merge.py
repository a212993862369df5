"""Canned responses per team, links between related cases, merged duplicates

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import desk.models.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('canned_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title_fi', sa.String(length=200), nullable=False),
    sa.Column('title_sv', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_fi', sa.Text(), nullable=False),
    sa.Column('body_sv', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', desk.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', desk.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_canned_responses_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_canned_responses_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_responses'))
    )
    with op.batch_alter_table('canned_responses', schema=None) as batch_op:
        batch_op.create_index('ix_canned_responses_team', ['team_id', 'active', 'title_fi'], unique=False)

    op.create_table('case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_low_id', sa.Integer(), nullable=False),
    sa.Column('case_high_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', desk.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('case_low_id < case_high_id', name=op.f('ck_case_links_ordered')),
    sa.ForeignKeyConstraint(['case_high_id'], ['cases.id'], name=op.f('fk_case_links_case_high_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_low_id'], ['cases.id'], name=op.f('fk_case_links_case_low_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_links_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('case_low_id', 'case_high_id', name='uq_case_links_pair')
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index('ix_case_links_high', ['case_high_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_merged_into_id_cases'), 'cases', ['merged_into_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_merged_into_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_merged_into_id'))
        batch_op.drop_column('merged_into_id')
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.drop_index('ix_case_links_high')
    op.drop_table('case_links')
    with op.batch_alter_table('canned_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_canned_responses_team')
    op.drop_table('canned_responses')
