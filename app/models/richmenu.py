import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class RichMenu(IntKeyMixin, Base):
    """A rich menu a channel created, and the one image it may ever be given."""

    __tablename__ = "rich_menus"

    rich_menu_id: Mapped[str] = mapped_column(String(41), unique=True)
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    selected: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(300))
    chat_bar_text: Mapped[str] = mapped_column(String(14))
    # The area objects as the bot sent them (bounds and action), in order: taps use the index.
    areas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_type: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RichMenuAlias(IntKeyMixin, Base):
    """A name a richmenuswitch action points at.

    It holds the menu's public ID rather than a key: deleting the menu leaves the alias in
    place, and a switch to it then reports `RICHMENU_NOTFOUND` as the platform does.
    """

    __tablename__ = "rich_menu_aliases"
    __table_args__ = (
        UniqueConstraint("channel_pk", "alias_id", name="uq_rich_menu_aliases_channel_alias"),
    )

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    alias_id: Mapped[str] = mapped_column(String(32))
    rich_menu_id: Mapped[str] = mapped_column(String(41))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RichMenuLink(Base):
    """The per-user rich menu: at most one per user and channel; deleting the menu unlinks it."""

    __tablename__ = "rich_menu_links"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Batch operations select links by menu.
    rich_menu_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("rich_menus.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RichMenuDefault(Base):
    """The default rich menu a channel set with the Messaging API (deleting the menu cancels it)."""

    __tablename__ = "rich_menu_defaults"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    rich_menu_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("rich_menus.id", ondelete="CASCADE"), index=True
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RichMenuBatchPhase(enum.StrEnum):
    ONGOING = "ongoing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RichMenuBatch(IntKeyMixin, Base):
    """One accepted batch control request: its operations and its progress, by request ID."""

    __tablename__ = "rich_menu_batches"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    resume_request_key: Mapped[str | None] = mapped_column(String(100))
    phase: Mapped[RichMenuBatchPhase] = mapped_column(
        str_enum(RichMenuBatchPhase, "rich_menu_batch_phase")
    )
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
