import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class EventState(enum.StrEnum):
    PENDING = "pending"  # waiting for the dispatcher (or for its next redelivery)
    SENDING = "sending"  # claimed by a dispatcher, the request in flight
    SENT = "sent"  # the bot answered 2xx
    FAILED = "failed"  # the bot failed and redelivery is off, or it gave up
    SKIPPED = "skipped"  # the webhook was off or had no URL when the event came


class WebhookEvent(IntKeyMixin, Base):
    """The outbox: every event a user action produced, until the bot has it."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_channel_state_id", "channel_pk", "state", "id"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(26), unique=True)
    # The event as the bot receives it, without `deliveryContext` (set per attempt).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[EventState] = mapped_column(str_enum(EventState, "event_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookAttempt(IntKeyMixin, Base):
    """One signed request to the bot and how it went."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_channel_id", "channel_pk", "id"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(Text)
    event_ids: Mapped[list[str]] = mapped_column(JSON)
    is_redelivery: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    latency_ms: Mapped[int] = mapped_column(Integer)
    success: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int] = mapped_column(Integer)  # 0 when nothing answered
    reason: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)  # the first KB of the bot's answer
