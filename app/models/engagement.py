import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class EngagementKind(enum.StrEnum):
    OPEN = "open"
    CLICK = "click"


class Engagement(IntKeyMixin, Base):
    """A user opened a delivered message, or clicked a URL in it (recorded by the console).

    Click- and impression-based audiences are built from these rows, by request.
    """

    __tablename__ = "engagements"
    __table_args__ = (Index("ix_engagements_request_kind", "request_pk", "kind"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    request_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("message_requests.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    message_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EngagementKind] = mapped_column(str_enum(EngagementKind, "engagement_kind"))
    url: Mapped[str | None] = mapped_column(Text)
    # The request's custom aggregation unit, kept so statistics per unit need no join.
    aggregation_unit: Mapped[str | None] = mapped_column(String(30))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RichMenuEngagementKind(enum.StrEnum):
    IMPRESSION = "impression"
    CLICK = "click"


class RichMenuEngagement(IntKeyMixin, Base):
    """A user saw a rich menu, or tapped one of its areas (recorded by the console).

    Kept apart from message engagement: a menu belongs to no message request. The rich menu
    insight figures are counted from these rows.
    """

    __tablename__ = "rich_menu_engagements"
    __table_args__ = (Index("ix_rich_menu_engagements_menu_at", "rich_menu_pk", "occurred_at"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    rich_menu_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("rich_menus.id", ondelete="CASCADE")
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RichMenuEngagementKind] = mapped_column(
        str_enum(RichMenuEngagementKind, "rich_menu_engagement_kind")
    )
    # The tapped area's position in the menu's `areas` (none for an impression).
    area_index: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
