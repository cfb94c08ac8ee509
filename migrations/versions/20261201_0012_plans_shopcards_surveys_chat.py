"""plans, shop cards, surveys and one-to-one chat (billing plans and the quota they set, shop
cards and their points, surveys and answers, chat tags, taggings and notes)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0011 added the manager's kinds; this revision adds the operator chat's and the satisfaction survey's.
SEND_KINDS_BEFORE = (
    "'reply', 'push', 'multicast', 'broadcast', 'narrowcast', 'pnp',"
    " 'greeting', 'auto_reply', 'step', 'test'"
)
SEND_KINDS_NOW = SEND_KINDS_BEFORE + ", 'chat', 'satisfaction'"
AUDIENCE_TYPES_BEFORE = "'UPLOAD', 'CLICK', 'IMP'"
AUDIENCE_TYPES_NOW = AUDIENCE_TYPES_BEFORE + ", 'CHAT_TAG'"


def upgrade() -> None:
    op.create_table('billing_plans',
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('monthly_fee', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('free_messages', sa.Integer(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_plans')),
    sa.UniqueConstraint('code', name=op.f('uq_billing_plans_code'))
    )
    op.create_table('chat_notes',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_chat_notes_channel_pk_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_chat_notes_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_notes'))
    )
    with op.batch_alter_table('chat_notes', schema=None) as batch_op:
        batch_op.create_index('ix_chat_notes_channel_user_id', ['channel_pk', 'user_pk', 'id'], unique=False)

    op.create_table('chat_tags',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_chat_tags_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_tags')),
    sa.UniqueConstraint('channel_pk', 'name', name='uq_chat_tags_channel_name')
    )
    op.create_table('plan_changes',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_code', sa.String(length=24), nullable=False),
    sa.Column('effective_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_plan_changes_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_changes'))
    )
    with op.batch_alter_table('plan_changes', schema=None) as batch_op:
        batch_op.create_index('ix_plan_changes_channel_effective', ['channel_pk', 'effective_from'], unique=False)

    op.create_table('shop_cards',
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('card_id', sa.String(length=26), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('goal_points', sa.Integer(), nullable=False),
    sa.Column('points_per_visit', sa.Integer(), nullable=False),
    sa.Column('points_per_purchase', sa.Integer(), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_shop_cards_channel_pk_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_cards')),
    sa.UniqueConstraint('card_id', name=op.f('uq_shop_cards_card_id')),
    sa.UniqueConstraint('channel_pk', name=op.f('uq_shop_cards_channel_pk'))
    )
    op.create_table('chat_taggings',
    sa.Column('tag_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tag_pk'], ['chat_tags.id'], name=op.f('fk_chat_taggings_tag_pk_chat_tags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_chat_taggings_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tag_pk', 'user_pk', name=op.f('pk_chat_taggings'))
    )
    with op.batch_alter_table('chat_taggings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_taggings_user_pk'), ['user_pk'], unique=False)

    op.create_table('shop_card_holders',
    sa.Column('card_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('completed_cards', sa.Integer(), nullable=False),
    sa.Column('expired_points', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_granted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['card_pk'], ['shop_cards.id'], name=op.f('fk_shop_card_holders_card_pk_shop_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_shop_card_holders_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_card_holders')),
    sa.UniqueConstraint('card_pk', 'user_pk', name='uq_shop_card_holders_card_user')
    )
    with op.batch_alter_table('shop_card_holders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_card_holders_user_pk'), ['user_pk'], unique=False)

    op.create_table('shop_card_rewards',
    sa.Column('card_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=100), nullable=False),
    sa.Column('coupon_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['card_pk'], ['shop_cards.id'], name=op.f('fk_shop_card_rewards_card_pk_shop_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coupon_pk'], ['coupons.id'], name=op.f('fk_shop_card_rewards_coupon_pk_coupons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_card_rewards')),
    sa.UniqueConstraint('card_pk', 'threshold', name='uq_shop_card_rewards_card_threshold')
    )
    op.create_table('shop_card_earned',
    sa.Column('holder_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reward_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('card_number', sa.Integer(), nullable=False),
    sa.Column('earned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['holder_pk'], ['shop_card_holders.id'], name=op.f('fk_shop_card_earned_holder_pk_shop_card_holders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reward_pk'], ['shop_card_rewards.id'], name=op.f('fk_shop_card_earned_reward_pk_shop_card_rewards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_card_earned')),
    sa.UniqueConstraint('holder_pk', 'reward_pk', 'card_number', name='uq_shop_card_earned_holder_reward')
    )
    op.create_table('shop_card_grants',
    sa.Column('holder_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.Enum('visit', 'purchase', name='point_reason', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['holder_pk'], ['shop_card_holders.id'], name=op.f('fk_shop_card_grants_holder_pk_shop_card_holders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_card_grants'))
    )
    with op.batch_alter_table('shop_card_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_card_grants_holder_pk'), ['holder_pk'], unique=False)

    op.create_table('surveys',
    sa.Column('survey_id', sa.String(length=26), nullable=False),
    sa.Column('channel_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Enum('survey', 'satisfaction', name='survey_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('request_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['channel_pk'], ['channels.id'], name=op.f('fk_surveys_channel_pk_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_pk'], ['message_requests.id'], name=op.f('fk_surveys_request_pk_message_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('survey_id', name=op.f('uq_surveys_survey_id'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index('ix_surveys_channel_kind_id', ['channel_pk', 'kind', 'id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('survey_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['survey_pk'], ['surveys.id'], name=op.f('fk_survey_answers_survey_pk_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_survey_answers_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('survey_pk', 'user_pk', name='uq_survey_answers_survey_user')
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_user_pk'), ['user_pk'], unique=False)

    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quota_next_type', sa.Enum('none', 'limited', name='quota_next_type', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.add_column(sa.Column('quota_next_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quota_next_at', sa.DateTime(timezone=True), nullable=True))

    # Operator answers in the one-to-one chat and the satisfaction survey are kinds of send;
    # chat tags make a kind of audience.
    with op.batch_alter_table('message_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_message_requests_send_kind'), type_='check')
        batch_op.create_check_constraint('send_kind', f"kind IN ({SEND_KINDS_NOW})")

    with op.batch_alter_table('audiences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audiences_audience_type'), type_='check')
        batch_op.create_check_constraint('audience_type', f"type IN ({AUDIENCE_TYPES_NOW})")


def downgrade() -> None:
    # Rows of the kinds this revision introduced would break the narrower checks.
    op.execute("DELETE FROM audiences WHERE type = 'CHAT_TAG'")
    op.execute("DELETE FROM message_requests WHERE kind IN ('chat', 'satisfaction')")
    with op.batch_alter_table('audiences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audiences_audience_type'), type_='check')
        batch_op.create_check_constraint('audience_type', f"type IN ({AUDIENCE_TYPES_BEFORE})")

    with op.batch_alter_table('message_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_message_requests_send_kind'), type_='check')
        batch_op.create_check_constraint('send_kind', f"kind IN ({SEND_KINDS_BEFORE})")

    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('quota_next_at')
        batch_op.drop_column('quota_next_limit')
        batch_op.drop_constraint(batch_op.f('ck_channels_quota_next_type'), type_='check')
        batch_op.drop_column('quota_next_type')

    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_user_pk'))

    op.drop_table('survey_answers')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_channel_kind_id')

    op.drop_table('surveys')
    with op.batch_alter_table('shop_card_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_card_grants_holder_pk'))

    op.drop_table('shop_card_grants')
    op.drop_table('shop_card_earned')
    op.drop_table('shop_card_rewards')
    with op.batch_alter_table('shop_card_holders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_card_holders_user_pk'))

    op.drop_table('shop_card_holders')
    with op.batch_alter_table('chat_taggings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_taggings_user_pk'))

    op.drop_table('chat_taggings')
    op.drop_table('shop_cards')
    with op.batch_alter_table('plan_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_changes_channel_effective')

    op.drop_table('plan_changes')
    op.drop_table('chat_tags')
    with op.batch_alter_table('chat_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_notes_channel_user_id')

    op.drop_table('chat_notes')
    op.drop_table('billing_plans')
