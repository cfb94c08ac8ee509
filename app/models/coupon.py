import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class CouponStatus(enum.StrEnum):
    # DRAFT is what LINE Official Account Manager saves before publishing; coupons made
    # through the API start RUNNING.
    DRAFT = "DRAFT"
    RUNNING = "RUNNING"
    CLOSED = "CLOSED"


class CouponVisibility(enum.StrEnum):
    UNLISTED = "UNLISTED"
    PUBLIC = "PUBLIC"


class AcquisitionType(enum.StrEnum):
    NORMAL = "normal"
    LOTTERY = "lottery"


NO_LIMIT = -1


class Coupon(IntKeyMixin, Base):
    """A coupon an account made; users acquire it (a ticket each) and use it in store."""

    __tablename__ = "coupons"
    __table_args__ = (Index("ix_coupons_channel_status_id", "channel_pk", "status", "id"),)

    coupon_id: Mapped[str] = mapped_column(String(26), unique=True)
    # The (channel_pk, status, id) index serves lookups by channel too.
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text)
    usage_condition: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    barcode_image_url: Mapped[str | None] = mapped_column(Text)
    coupon_code: Mapped[str | None] = mapped_column(Text)
    # Epoch seconds, as the API sends and answers them (0 is a valid start).
    start_timestamp: Mapped[int] = mapped_column(BigInteger)
    end_timestamp: Mapped[int] = mapped_column(BigInteger)
    timezone: Mapped[str] = mapped_column(String(24))
    visibility: Mapped[CouponVisibility] = mapped_column(
        str_enum(CouponVisibility, "coupon_visibility")
    )
    max_use_count_per_ticket: Mapped[int] = mapped_column(Integer)
    acquisition_type: Mapped[AcquisitionType] = mapped_column(
        str_enum(AcquisitionType, "acquisition_type")
    )
    lottery_probability: Mapped[int | None] = mapped_column(Integer)
    # NO_LIMIT (-1) or the most tickets that may ever be issued; `acquired_count` counts them
    # so that one conditional UPDATE can take the last one under concurrent draws.
    max_acquire_count: Mapped[int] = mapped_column(Integer)
    acquired_count: Mapped[int] = mapped_column(Integer)
    # The reward as the detail endpoint answers it (with the currency the platform adds).
    reward: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[CouponStatus] = mapped_column(str_enum(CouponStatus, "coupon_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CouponTicket(IntKeyMixin, Base):
    """A user's draw of a coupon: one per user and coupon. A lost lottery draw is kept
    (`won` false) so the user cannot draw again."""

    __tablename__ = "coupon_tickets"
    __table_args__ = (
        UniqueConstraint("coupon_pk", "user_pk", name="uq_coupon_tickets_coupon_user"),
    )

    coupon_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("coupons.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    won: Mapped[bool] = mapped_column(Boolean)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    use_count: Mapped[int] = mapped_column(Integer)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
