import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TextClause,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class SendKind(enum.StrEnum):
    REPLY = "reply"
    PUSH = "push"
    MULTICAST = "multicast"
    BROADCAST = "broadcast"
    NARROWCAST = "narrowcast"
    PNP = "pnp"  # a LINE notification message, to a phone number
    # Sent by the Official Account Manager's features (app/control/manager).
    GREETING = "greeting"
    AUTO_REPLY = "auto_reply"
    STEP = "step"
    TEST = "test"
    CHAT = "chat"  # an operator's answer in the one-to-one chat (outside the quota)
    SATISFACTION = "satisfaction"  # the account satisfaction survey (outside the quota)


# The sends that reach a channel's followers in batches, recorded in `FanoutDelivery`.
FANOUT_KINDS = (SendKind.BROADCAST, SendKind.NARROWCAST)


def _is_fanout(column: str) -> TextClause:
    # Written out, not bound: the planner must match a query's condition to the partial index.
    return text(f"{column} IN (" + ", ".join(f"'{kind.value}'" for kind in FANOUT_KINDS) + ")")


# A request that is a fan-out, as a condition for queries on message_requests.
FANOUT_REQUEST = _is_fanout("message_requests.kind")


class Phase(enum.StrEnum):
    WAITING = "waiting"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MessageRequest(IntKeyMixin, Base):
    """One accepted send: its messages, its target and its progress."""

    __tablename__ = "message_requests"
    __table_args__ = (
        Index("ix_message_requests_channel_accepted", "channel_pk", "accepted_at"),
        # A user's inbox visits the channel's fan-outs (few, each reaching many); partial, so
        # that pushes, the bulk of the requests, add no entry to it.
        Index(
            "ix_message_requests_channel_fanout",
            "channel_pk",
            "id",
            postgresql_where=_is_fanout("kind"),
            sqlite_where=_is_fanout("kind"),
        ),
    )

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[SendKind] = mapped_column(str_enum(SendKind, "send_kind"))
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notification_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    aggregation_units: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # multicast: {"to": [...]}; narrowcast: {"recipient", "filter", "limit"}
    target: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Push and reply to a group or room chat rather than to users.
    group_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    room_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("rooms.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    target_count: Mapped[int | None] = mapped_column(Integer)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    batches_left: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[int | None] = mapped_column(Integer)
    failed_description: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One user reached by any send but a broadcast or narrowcast (push, reply, multicast, LINE
    notification messages, and the manager's one-to-one kinds).

    Kept narrow for the push hot path: keyed by (user, request), which is the inbox's index; no
    surrogate id (a sequence call per row), no channel (the request has it), no foreign key
    (its per-row check more than doubles the cost), and on Postgres a BRIN index for the
    request, whose keys only grow.
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_request_pk", "request_pk", postgresql_using="brin"),)

    user_pk: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=False)
    request_pk: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=False)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FanoutDelivery(Base):
    """One follower reached by a broadcast or narrowcast (`FANOUT_KINDS`).

    A fan-out writes up to millions of rows at once, so its rows are keyed by (request, user):
    the request is the newest, and the index only grows where the batches write, where a
    (user, request) key would put a new entry on every page of the index (measured: a million
    rows in 1.1-1.2 s against 1.9-2.3 s). A user's inbox finds them through the channel's
    fan-out requests, which are few. Exactly-once comes from each batch marking itself done in
    its insert's transaction; the key is a second guard.
    """

    __tablename__ = "fanout_deliveries"

    request_pk: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=False)
    user_pk: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=False)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryBatch(IntKeyMixin, Base):
    """A slice of a fan-out: friendship keys lo..hi (or the multicast list) of one request."""

    __tablename__ = "delivery_batches"

    request_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("message_requests.id", ondelete="CASCADE"), index=True
    )
    lo: Mapped[int] = mapped_column(BigIntKey)
    hi: Mapped[int] = mapped_column(BigIntKey)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    delivered: Mapped[int] = mapped_column(Integer, default=0)


class RetryKey(IntKeyMixin, Base):
    """An accepted `X-Line-Retry-Key`, remembered for 24 hours per channel."""

    __tablename__ = "retry_keys"
    __table_args__ = (
        UniqueConstraint("channel_pk", "retry_key", name="uq_retry_keys_channel_key"),
    )

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    retry_key: Mapped[str] = mapped_column(String(36))
    request_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("message_requests.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReplyToken(IntKeyMixin, Base):
    """A single-use reply token issued with an event (or minted through the control plane)."""

    __tablename__ = "reply_tokens"

    token: Mapped[str] = mapped_column(String(64), unique=True)
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    # Who a reply reaches: the user, or the group or room the event came from.
    user_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE")
    )
    group_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("groups.id", ondelete="CASCADE")
    )
    room_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("rooms.id", ondelete="CASCADE")
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
