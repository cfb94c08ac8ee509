import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class ChatMode(enum.StrEnum):
    BOT = "bot"
    CHAT = "chat"


class EventMode(enum.StrEnum):
    ACTIVE = "active"
    STANDBY = "standby"  # another channel holds chat control: events carry no reply token


class ChannelStatus(enum.StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    SUSPENDED = "suspended"


class QuotaType(enum.StrEnum):
    NONE = "none"
    LIMITED = "limited"


class Channel(IntKeyMixin, Base):
    """A Messaging API channel: one LINE Official Account and its bot."""

    __tablename__ = "channels"

    channel_id: Mapped[str] = mapped_column(String(10), unique=True)
    secret: Mapped[str] = mapped_column(String(32))
    bot_user_id: Mapped[str] = mapped_column(String(33), unique=True)
    basic_id: Mapped[str] = mapped_column(String(20), unique=True)
    premium_id: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    picture_url: Mapped[str | None] = mapped_column(Text)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    webhook_redelivery: Mapped[bool] = mapped_column(Boolean, default=False)
    chat_mode: Mapped[ChatMode] = mapped_column(
        str_enum(ChatMode, "chat_mode"), default=ChatMode.BOT
    )
    event_mode: Mapped[EventMode] = mapped_column(
        str_enum(EventMode, "event_mode"), default=EventMode.ACTIVE, server_default="active"
    )
    status: Mapped[ChannelStatus] = mapped_column(
        str_enum(ChannelStatus, "channel_status"),
        default=ChannelStatus.ACTIVE,
        server_default="active",
    )
    quota_type: Mapped[QuotaType] = mapped_column(
        str_enum(QuotaType, "quota_type"), default=QuotaType.NONE
    )
    quota_limit: Mapped[int | None] = mapped_column(Integer)
    # A billing plan's downgrade changes the quota from the next month on: kept here so every
    # send reads it without a query (`quota_at`).
    quota_next_type: Mapped[QuotaType | None] = mapped_column(
        str_enum(QuotaType, "quota_next_type")
    )
    quota_next_limit: Mapped[int | None] = mapped_column(Integer)
    quota_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rate_limits_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def quota_at(self, now: datetime) -> tuple[QuotaType, int | None]:
        """The monthly quota in force at `now` (type, and the limit when limited)."""
        next_type, next_at = self.quota_next_type, self.quota_next_at
        if next_type is not None and next_at is not None and now >= next_at:
            return next_type, self.quota_next_limit
        return self.quota_type, self.quota_limit


class TokenKind(enum.StrEnum):
    LONG_LIVED = "long_lived"
    SHORT_LIVED = "short_lived"
    JWT = "v2.1"


class AccessToken(IntKeyMixin, Base):
    """A stored channel access token. Stateless (v3) tokens are signed, never stored."""

    __tablename__ = "access_tokens"
    __table_args__ = (Index("ix_access_tokens_channel_kind", "channel_pk", "kind"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    token: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind, "token_kind"))
    key_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssertionKey(IntKeyMixin, Base):
    """A public key registered for a channel to sign JWT assertions (token v2.1)."""

    __tablename__ = "assertion_keys"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(Text)  # the JWK as registered, JSON text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
