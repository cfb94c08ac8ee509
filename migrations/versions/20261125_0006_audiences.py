"""audiences, uploads and recorded engagement

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audience_members',
    sa.Column('audience_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.String(length=64), nullable=False)
    )
    with op.batch_alter_table('audience_members', schema=None) as batch_op:
        batch_op.create_index('ix_audience_members_audience_pk', ['audience_pk'], unique=False, postgresql_using='brin')

    op.create_table('audiences',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type', sa.Enum('UPLOAD', 'CLICK', 'IMP', name='audience_type', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('IN_PROGRESS', 'READY', 'FAILED', 'EXPIRED', 'INACTIVE', 'ACTIVATING', name='audience_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('failed_type', sa.Enum('AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT', 'INTERNAL_ERROR', name='audience_failed_type', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('is_ifa', sa.Boolean(), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=True),
    sa.Column('click_url', sa.Text(), nullable=True),
    sa.Column('audience_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_audiences_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audiences'))
    )
    with op.batch_alter_table('audiences', schema=None) as batch_op:
        batch_op.create_index('ix_audiences_channel_created', ['channel_pk', 'created_at'], unique=False)

    op.create_table('audience_jobs',
    sa.Column('audience_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('QUEUED', 'WORKING', 'FINISHED', 'FAILED', name='audience_job_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('failed_type', sa.Enum('AUDIENCE_GROUP_AUDIENCE_INSUFFICIENT', 'INTERNAL_ERROR', name='audience_failed_type', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('audience_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finishes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['audience_pk'], ['audiences.id'], name=op.f('fk_audience_jobs_audience_pk_audiences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audience_jobs'))
    )
    with op.batch_alter_table('audience_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audience_jobs_audience_pk'), ['audience_pk'], unique=False)

    op.create_table('audience_shares',
    sa.Column('audience_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audience_pk'], ['audiences.id'], name=op.f('fk_audience_shares_audience_pk_audiences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_audience_shares_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('audience_pk', 'channel_pk', name=op.f('pk_audience_shares'))
    )
    with op.batch_alter_table('audience_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audience_shares_channel_pk'), ['channel_pk'], unique=False)

    op.create_table('engagements',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('message_index', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('open', 'click', name='engagement_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('aggregation_unit', sa.String(length=30), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_engagements_channel_pk_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_pk'], ['message_requests.id'], name=op.f('fk_engagements_request_pk_message_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_engagements_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagements'))
    )
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.create_index('ix_engagements_request_kind', ['request_pk', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagements_user_pk'), ['user_pk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagements_user_pk'))
        batch_op.drop_index('ix_engagements_request_kind')

    op.drop_table('engagements')
    with op.batch_alter_table('audience_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audience_shares_channel_pk'))

    op.drop_table('audience_shares')
    with op.batch_alter_table('audience_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audience_jobs_audience_pk'))

    op.drop_table('audience_jobs')
    with op.batch_alter_table('audiences', schema=None) as batch_op:
        batch_op.drop_index('ix_audiences_channel_created')

    op.drop_table('audiences')
    with op.batch_alter_table('audience_members', schema=None) as batch_op:
        batch_op.drop_index('ix_audience_members_audience_pk', postgresql_using='brin')

    op.drop_table('audience_members')
