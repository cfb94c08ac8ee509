"""insight: rich menu impressions and area taps

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rich_menu_engagements',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rich_menu_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Enum('impression', 'click', name='rich_menu_engagement_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('area_index', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_rich_menu_engagements_channel_pk_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rich_menu_pk'], ['rich_menus.id'], name=op.f('fk_rich_menu_engagements_rich_menu_pk_rich_menus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_rich_menu_engagements_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rich_menu_engagements'))
    )
    with op.batch_alter_table('rich_menu_engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rich_menu_engagements_channel_pk'), ['channel_pk'], unique=False)
        batch_op.create_index('ix_rich_menu_engagements_menu_at', ['rich_menu_pk', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rich_menu_engagements_user_pk'), ['user_pk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rich_menu_engagements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rich_menu_engagements_user_pk'))
        batch_op.drop_index('ix_rich_menu_engagements_menu_at')
        batch_op.drop_index(batch_op.f('ix_rich_menu_engagements_channel_pk'))

    op.drop_table('rich_menu_engagements')
