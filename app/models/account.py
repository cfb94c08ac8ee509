"""What an account runs from the Official Account Manager: its billing plan, shop card, surveys
and the one-to-one chat's tags and notes."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum

# --- billing plans ----------------------------------------------------------------------------


class BillingPlan(IntKeyMixin, Base):
    """A plan defined through the control plane, beside the built-in Taiwan set: a monthly
    fee, free messages and, optionally, additional messages priced in graduated tiers."""

    __tablename__ = "billing_plans"

    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    monthly_fee: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    free_messages: Mapped[int] = mapped_column(Integer)
    # [[last message of the tier or null for no end, unit price as a decimal string], ...]
    tiers: Mapped[list[list[Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanChange(IntKeyMixin, Base):
    """A channel's billing plan from `effective_from` on; the latest row not in the future is
    the plan in force. An upgrade starts when asked, a downgrade at the next month's start."""

    __tablename__ = "plan_changes"
    __table_args__ = (Index("ix_plan_changes_channel_effective", "channel_pk", "effective_from"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    plan_code: Mapped[str] = mapped_column(String(24))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- shop cards -------------------------------------------------------------------------------


class ShopCard(IntKeyMixin, Base):
    """An account's point card (one per account): points per visit or purchase, a goal that
    completes the card, rewards at thresholds; points expire a while after the last grant."""

    __tablename__ = "shop_cards"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), unique=True
    )
    card_id: Mapped[str] = mapped_column(String(26), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    goal_points: Mapped[int] = mapped_column(Integer)
    points_per_visit: Mapped[int] = mapped_column(Integer)
    points_per_purchase: Mapped[int] = mapped_column(Integer)
    validity_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShopCardReward(IntKeyMixin, Base):
    """What a user earns on reaching `threshold` points on a card (a coupon, or a gift the
    store hands over)."""

    __tablename__ = "shop_card_rewards"
    __table_args__ = (
        UniqueConstraint("card_pk", "threshold", name="uq_shop_card_rewards_card_threshold"),
    )

    card_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("shop_cards.id", ondelete="CASCADE"))
    threshold: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(100))
    coupon_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("coupons.id", ondelete="SET NULL")
    )


class ShopCardHolder(IntKeyMixin, Base):
    """A user's card: the points on the current card and how many cards they completed."""

    __tablename__ = "shop_card_holders"
    __table_args__ = (
        UniqueConstraint("card_pk", "user_pk", name="uq_shop_card_holders_card_user"),
    )

    card_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("shop_cards.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    points: Mapped[int] = mapped_column(Integer)
    completed_cards: Mapped[int] = mapped_column(Integer)
    expired_points: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PointReason(enum.StrEnum):
    VISIT = "visit"
    PURCHASE = "purchase"


class ShopCardGrant(IntKeyMixin, Base):
    """One grant of points (the store scanning the user's card)."""

    __tablename__ = "shop_card_grants"

    holder_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("shop_card_holders.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[PointReason] = mapped_column(str_enum(PointReason, "point_reason"))
    points: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShopCardEarned(IntKeyMixin, Base):
    """A reward a user earned, on which of their cards (1 for the first)."""

    __tablename__ = "shop_card_earned"
    __table_args__ = (
        UniqueConstraint(
            "holder_pk", "reward_pk", "card_number", name="uq_shop_card_earned_holder_reward"
        ),
    )

    holder_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("shop_card_holders.id", ondelete="CASCADE")
    )
    reward_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("shop_card_rewards.id", ondelete="CASCADE")
    )
    card_number: Mapped[int] = mapped_column(Integer)
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- surveys ----------------------------------------------------------------------------------


class SurveyKind(enum.StrEnum):
    SURVEY = "survey"
    SATISFACTION = "satisfaction"  # the account satisfaction survey: one NPS question, 0-10


class Survey(IntKeyMixin, Base):
    """A survey and the send that carried it; answers are accepted from its recipients while
    it is open."""

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_channel_kind_id", "channel_pk", "kind", "id"),)

    survey_id: Mapped[str] = mapped_column(String(26), unique=True)
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    kind: Mapped[SurveyKind] = mapped_column(str_enum(SurveyKind, "survey_kind"))
    title: Mapped[str] = mapped_column(String(100))
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    request_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("message_requests.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyAnswer(IntKeyMixin, Base):
    """A user's answers to a survey, one per user."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("survey_pk", "user_pk", name="uq_survey_answers_survey_user"),
    )

    survey_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("surveys.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # One entry per question, in order: an option index, a list of them, a score or text.
    answers: Mapped[list[Any]] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- one-to-one chat --------------------------------------------------------------------------


class ChatTag(IntKeyMixin, Base):
    """A label operators put on chats; an audience can be made of the users carrying it."""

    __tablename__ = "chat_tags"
    __table_args__ = (UniqueConstraint("channel_pk", "name", name="uq_chat_tags_channel_name"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatTagging(Base):
    """A tag on one user's chat with the account."""

    __tablename__ = "chat_taggings"

    tag_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("chat_tags.id", ondelete="CASCADE"), primary_key=True
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatNote(IntKeyMixin, Base):
    """An operator's note on a user's chat (only operators see it)."""

    __tablename__ = "chat_notes"
    __table_args__ = (Index("ix_chat_notes_channel_user_id", "channel_pk", "user_pk", "id"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
