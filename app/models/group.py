from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime


class Group(IntKeyMixin, Base):
    """A group chat. At most one official account can be in a group, as on the platform."""

    __tablename__ = "groups"

    group_id: Mapped[str] = mapped_column(String(33), unique=True)
    chat_id: Mapped[str] = synonym("group_id")
    name: Mapped[str] = mapped_column(String(100))
    picture_url: Mapped[str | None] = mapped_column(Text)
    channel_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    bot_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupMember(Base):
    __tablename__ = "group_members"

    group_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    chat_pk: Mapped[int] = synonym("group_pk")
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Room(IntKeyMixin, Base):
    """A multi-person chat without a name (the platform's "room")."""

    __tablename__ = "rooms"

    room_id: Mapped[str] = mapped_column(String(33), unique=True)
    chat_id: Mapped[str] = synonym("room_id")
    channel_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    bot_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoomMember(Base):
    __tablename__ = "room_members"

    room_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    chat_pk: Mapped[int] = synonym("room_pk")
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
