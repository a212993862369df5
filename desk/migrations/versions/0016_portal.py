"""The employer portal: organisations, contacts, sign-in tokens; cases linked to them; the
employer's private token stored as its sha256 only

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 01:45:00
"""
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desk.models.types import UTCDateTime

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _hash_existing_tokens() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        bind.exec_driver_sql(
            "UPDATE cases SET employer_token_hash = encode(sha256(convert_to(employer_token, 'UTF8')), 'hex')"
        )
        return
    rows = bind.execute(sa.text('SELECT id, employer_token FROM cases')).all()
    for case_id, token in rows:
        bind.execute(
            sa.text('UPDATE cases SET employer_token_hash = :h WHERE id = :id'),
            {'h': hashlib.sha256(token.encode()).hexdigest(), 'id': case_id},
        )


def upgrade() -> None:
    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.String(length=9), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
        sa.UniqueConstraint('business_id', name=op.f('uq_organisations_business_id')),
    )
    op.create_table(
        'contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=True),
        sa.Column('is_org_admin', sa.Boolean(), nullable=False),
        sa.Column('verified_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('removed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'],
            ['organisations.id'],
            name=op.f('fk_contacts_organisation_id_organisations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
        sa.UniqueConstraint('email', name=op.f('uq_contacts_email')),
    )
    op.create_index('ix_contacts_organisation', 'contacts', ['organisation_id', 'id'])
    op.create_table(
        'sign_in_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_tokens')),
    )
    op.create_index(
        'ix_sign_in_tokens_email_created', 'sign_in_tokens', ['email', 'created_at']
    )
    op.add_column('cases', sa.Column('employer_token_hash', sa.String(length=64), nullable=True))
    _hash_existing_tokens()
    with op.batch_alter_table('cases') as batch:
        batch.alter_column('employer_token_hash', existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f('uq_cases_employer_token_hash'), ['employer_token_hash'])
        batch.drop_constraint(op.f('uq_cases_employer_token'), type_='unique')
        batch.drop_column('employer_token')
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_cases_organisation_id_organisations'),
            'organisations',
            ['organisation_id'],
            ['id'],
        )
        batch.create_foreign_key(
            op.f('fk_cases_contact_id_contacts'), 'contacts', ['contact_id'], ['id']
        )
        batch.create_index('ix_cases_organisation_id', ['organisation_id'])
        batch.create_index('ix_cases_contact_id', ['contact_id'])


def downgrade() -> None:
    # The raw tokens are gone for good: old private links cannot come back. A downgrade
    # gives every case a new random token (their emails' links stop working).
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ix_cases_contact_id')
        batch.drop_index('ix_cases_organisation_id')
        batch.drop_constraint(op.f('fk_cases_contact_id_contacts'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_cases_organisation_id_organisations'), type_='foreignkey')
        batch.drop_column('contact_id')
        batch.drop_column('organisation_id')
        batch.add_column(sa.Column('employer_token', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    import secrets

    for (case_id,) in bind.execute(sa.text('SELECT id FROM cases')).all():
        bind.execute(
            sa.text('UPDATE cases SET employer_token = :t WHERE id = :id'),
            {'t': secrets.token_urlsafe(32), 'id': case_id},
        )
    with op.batch_alter_table('cases') as batch:
        batch.alter_column('employer_token', existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f('uq_cases_employer_token'), ['employer_token'])
        batch.drop_constraint(op.f('uq_cases_employer_token_hash'), type_='unique')
        batch.drop_column('employer_token_hash')
    op.drop_index('ix_sign_in_tokens_email_created', table_name='sign_in_tokens')
    op.drop_table('sign_in_tokens')
    op.drop_index('ix_contacts_organisation', table_name='contacts')
    op.drop_table('contacts')
    op.drop_table('organisations')
