"""rich menus, images, aliases, links and batch jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rich_menu_aliases',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('alias_id', sa.String(length=32), nullable=False),
    sa.Column('rich_menu_id', sa.String(length=41), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_rich_menu_aliases_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rich_menu_aliases')),
    sa.UniqueConstraint('channel_pk', 'alias_id', name='uq_rich_menu_aliases_channel_alias')
    )
    op.create_table('rich_menu_batches',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('operations', sa.JSON(), nullable=False),
    sa.Column('resume_request_key', sa.String(length=100), nullable=True),
    sa.Column('phase', sa.Enum('ongoing', 'succeeded', 'failed', name='rich_menu_batch_phase', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_rich_menu_batches_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rich_menu_batches')),
    sa.UniqueConstraint('request_id', name=op.f('uq_rich_menu_batches_request_id'))
    )
    op.create_index(op.f('ix_rich_menu_batches_channel_pk'), 'rich_menu_batches', ['channel_pk'], unique=False)
    op.create_table('rich_menus',
    sa.Column('rich_menu_id', sa.String(length=41), nullable=False),
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('chat_bar_text', sa.String(length=14), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=True),
    sa.Column('image_type', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_rich_menus_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rich_menus')),
    sa.UniqueConstraint('rich_menu_id', name=op.f('uq_rich_menus_rich_menu_id'))
    )
    op.create_index(op.f('ix_rich_menus_channel_pk'), 'rich_menus', ['channel_pk'], unique=False)
    op.create_table('rich_menu_defaults',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rich_menu_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_rich_menu_defaults_channel_pk_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rich_menu_pk'], ['rich_menus.id'], name=op.f('fk_rich_menu_defaults_rich_menu_pk_rich_menus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_pk', name=op.f('pk_rich_menu_defaults'))
    )
    op.create_index(op.f('ix_rich_menu_defaults_rich_menu_pk'), 'rich_menu_defaults', ['rich_menu_pk'], unique=False)
    op.create_table('rich_menu_links',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rich_menu_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_rich_menu_links_channel_pk_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rich_menu_pk'], ['rich_menus.id'], name=op.f('fk_rich_menu_links_rich_menu_pk_rich_menus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_rich_menu_links_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_pk', 'user_pk', name=op.f('pk_rich_menu_links'))
    )
    op.create_index(op.f('ix_rich_menu_links_rich_menu_pk'), 'rich_menu_links', ['rich_menu_pk'], unique=False)
    op.create_index(op.f('ix_rich_menu_links_user_pk'), 'rich_menu_links', ['user_pk'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_rich_menu_links_user_pk'), table_name='rich_menu_links')
    op.drop_index(op.f('ix_rich_menu_links_rich_menu_pk'), table_name='rich_menu_links')
    op.drop_table('rich_menu_links')
    op.drop_index(op.f('ix_rich_menu_defaults_rich_menu_pk'), table_name='rich_menu_defaults')
    op.drop_table('rich_menu_defaults')
    op.drop_index(op.f('ix_rich_menus_channel_pk'), table_name='rich_menus')
    op.drop_table('rich_menus')
    op.drop_index(op.f('ix_rich_menu_batches_channel_pk'), table_name='rich_menu_batches')
    op.drop_table('rich_menu_batches')
    op.drop_table('rich_menu_aliases')
