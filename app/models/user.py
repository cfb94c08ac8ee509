import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class AppType(enum.StrEnum):
    IOS = "ios"
    ANDROID = "android"


class User(IntKeyMixin, Base):
    """A simulated LINE user, with the attributes narrowcast filters on."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(33), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    picture_url: Mapped[str | None] = mapped_column(Text)
    status_message: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender, "gender"))
    age: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[str | None] = mapped_column(String(8))
    app_type: Mapped[AppType | None] = mapped_column(str_enum(AppType, "app_type"))
    # E.164; LINE notification messages find the user by its SHA-256 (hex).
    phone_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FriendshipStatus(enum.StrEnum):
    FOLLOWING = "following"
    BLOCKED = "blocked"


class Friendship(IntKeyMixin, Base):
    """A user's relation to one channel's account; one row per pair, ever."""

    __tablename__ = "friendships"
    __table_args__ = (
        UniqueConstraint("channel_pk", "user_pk", name="uq_friendships_channel_user"),
        Index("ix_friendships_channel_status_id", "channel_pk", "status", "id"),
    )

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[FriendshipStatus] = mapped_column(
        str_enum(FriendshipStatus, "friendship_status")
    )
    # First time the user added the account; `since` starts the current friendship period
    # (narrowcast's subscriptionPeriod counts from it).
    followed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The user's inbox shows what was delivered after this (the control plane can clear it).
    inbox_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The bot's loading animation in this chat: shown from start until `loading_until` or until
    # the bot's next message, whichever comes first.
    loading_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    loading_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FriendshipEventKind(enum.StrEnum):
    FOLLOW = "follow"
    UNBLOCK = "unblock"
    BLOCK = "block"


class FriendshipEvent(IntKeyMixin, Base):
    """History of follows and blocks; insight's per-date figures are counted from it."""

    __tablename__ = "friendship_events"
    __table_args__ = (Index("ix_friendship_events_channel_at", "channel_pk", "occurred_at"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FriendshipEventKind] = mapped_column(
        str_enum(FriendshipEventKind, "friendship_event_kind")
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
