import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class Transcoding(enum.StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class UserMessage(IntKeyMixin, Base):
    """A message a user sent to an account (one-to-one, or in a group or room with the bot).

    Kept so the bot can fetch its content, the user can unsend it and the bot can mark it read.
    """

    __tablename__ = "user_messages"
    __table_args__ = (Index("ix_user_messages_channel_user_id", "channel_pk", "user_pk", "id"),)

    message_id: Mapped[str] = mapped_column(String(20), unique=True)
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("users.id", ondelete="CASCADE"))
    group_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("groups.id", ondelete="CASCADE")
    )
    room_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("rooms.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(16))
    # The message object as the bot received it in the event.
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Uploaded media (image, video, audio, file); None for text, sticker, location.
    content_type: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    preview: Mapped[bytes | None] = mapped_column(LargeBinary)
    file_name: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    transcoding: Mapped[Transcoding | None] = mapped_column(str_enum(Transcoding, "transcoding"))
    mark_as_read_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The platform keeps content for a while only; after this the content API answers 410.
    content_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkToken(IntKeyMixin, Base):
    """A link token the bot issued for account linking: single use, valid 10 minutes."""

    __tablename__ = "link_tokens"

    token: Mapped[str] = mapped_column(String(64), unique=True)
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    user_pk: Mapped[int] = mapped_column(BigIntKey, ForeignKey("users.id", ondelete="CASCADE"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
