import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class MembershipCurrency(enum.StrEnum):
    JPY = "JPY"
    TWD = "TWD"
    THB = "THB"


class MembershipPlan(IntKeyMixin, Base):
    """A paid membership plan of an account; its key is the API's `membershipId`."""

    __tablename__ = "membership_plans"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    benefits: Mapped[list[str]] = mapped_column(JSON)
    price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    currency: Mapped[MembershipCurrency] = mapped_column(
        str_enum(MembershipCurrency, "membership_currency")
    )
    member_limit: Mapped[int | None] = mapped_column(Integer)
    is_in_app_purchase: Mapped[bool] = mapped_column(Boolean)
    is_published: Mapped[bool] = mapped_column(Boolean)
    # Member numbers are handed out in order and never reused, a rejoin included.
    last_member_no: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MembershipSubscription(IntKeyMixin, Base):
    """One subscription period of a user to a plan: from joining until leaving (`left_at`).
    A user who leaves and joins again starts a new period, with its months counted afresh."""

    __tablename__ = "membership_subscriptions"
    __table_args__ = (Index("ix_membership_subscriptions_plan_id", "plan_pk", "id"),)

    plan_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("membership_plans.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    membership_no: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Months paid for: 1 on joining, one more per renewal; the next billing date follows.
    total_months: Mapped[int] = mapped_column(Integer)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
