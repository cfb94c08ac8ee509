"""What an account runs from the Official Account Manager: response settings, the greeting,
keyword replies, step scenarios, sends from the manager, campaigns and operators.

Every message the manager sends is an ordinary `MessageRequest` with its deliveries (so inboxes,
quota and opens work as for API sends); `ManagerRequest` says which manager feature sent it and
under which campaign, which is what campaign and A/B statistics are counted from.
"""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigIntKey, IntKeyMixin, UTCDateTime, str_enum


class ManagerSettings(Base):
    """A channel's response settings beyond chat and webhook (those live on the channel), and
    its greeting. A channel without a row has the platform's defaults: both switched on."""

    __tablename__ = "manager_settings"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    greeting_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_response_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    greeting_messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    greeting_campaign_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("manager_campaigns.id", ondelete="SET NULL")
    )


class Campaign(IntKeyMixin, Base):
    """A label grouping sends (and greeting, replies, steps) for their statistics."""

    __tablename__ = "manager_campaigns"
    __table_args__ = (
        UniqueConstraint("channel_pk", "label", name="uq_manager_campaigns_channel_label"),
    )

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE")
    )
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResponseRule(IntKeyMixin, Base):
    """A response message: its keywords (none for the default reply) and the replies one of
    which is sent at random, each a list of message objects."""

    __tablename__ = "manager_response_rules"
    # One default reply a channel, even under concurrent creates.
    __table_args__ = (
        Index(
            "uq_manager_response_rules_default",
            "channel_pk",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
    )

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    replies: Mapped[list[list[dict[str, Any]]]] = mapped_column(JSON)
    campaign_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("manager_campaigns.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResponseKeyword(Base):
    """One keyword of a rule; a keyword names one rule of its channel (matched exactly)."""

    __tablename__ = "manager_response_keywords"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    keyword: Mapped[str] = mapped_column(String(100), primary_key=True)
    rule_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("manager_response_rules.id", ondelete="CASCADE"), index=True
    )


class StepScenario(IntKeyMixin, Base):
    """Step messages: friends who add the account (by `friend_path` when set) enter it; its
    steps go out N days later to those who still match `condition` (a narrowcast recipient and
    filter)."""

    __tablename__ = "manager_step_scenarios"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    friend_path: Mapped[str | None] = mapped_column(String(100))
    condition: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    campaign_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("manager_campaigns.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Step(IntKeyMixin, Base):
    __tablename__ = "manager_steps"

    scenario_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("manager_step_scenarios.id", ondelete="CASCADE"), index=True
    )
    days: Mapped[int] = mapped_column(Integer)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Every entry that entered at or before this was sent the step or passed over: a beat
    # reads only the entries that became due since (None: none handled yet).
    due_through: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScenarioEntry(Base):
    """A friend who entered a scenario by following, and when (the steps count from it)."""

    __tablename__ = "manager_scenario_entries"
    __table_args__ = (Index("ix_manager_scenario_entries_at", "scenario_pk", "entered_at"),)

    scenario_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("manager_step_scenarios.id", ondelete="CASCADE"), primary_key=True
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StepDelivery(Base):
    """A step done for a friend: sent with `request_pk`, or passed over (no request) when they
    no longer matched or the quota was spent. Its key makes every step once per friend."""

    __tablename__ = "manager_step_deliveries"
    __table_args__ = (Index("ix_manager_step_deliveries_request_pk", "request_pk"),)

    step_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("manager_steps.id", ondelete="CASCADE"), primary_key=True
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    request_pk: Mapped[int | None] = mapped_column(BigIntKey)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ManagerSend(IntKeyMixin, Base):
    """A broadcast or narrowcast composed in the manager, sent now or at `scheduled_at`; an A/B
    test sends each of its `variants` to its share of the target."""

    __tablename__ = "manager_sends"
    __table_args__ = (Index("ix_manager_sends_status_at", "status", "scheduled_at"),)

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    send_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus, "manager_send_status"))
    messages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    # {"recipient": ..., "filter": ...} as in a narrowcast body; none: every friend.
    target: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    max_recipients: Mapped[int | None] = mapped_column(Integer)
    # [{"percentage": p, "messages": [...]}] for an A/B test.
    variants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    campaign_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("manager_campaigns.id", ondelete="SET NULL")
    )
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class ManagerSource(enum.StrEnum):
    GREETING = "greeting"
    AUTO_REPLY = "auto_reply"
    STEP = "step"
    SEND = "send"
    TEST = "test"


class ManagerRequest(Base):
    """Which manager feature sent a request (and its rule, step or send), under which
    campaign, and the A/B variant it carried."""

    __tablename__ = "manager_requests"
    __table_args__ = (Index("ix_manager_requests_source", "source", "source_pk"),)

    request_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("message_requests.id", ondelete="CASCADE"), primary_key=True
    )
    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[ManagerSource] = mapped_column(str_enum(ManagerSource, "manager_source"))
    source_pk: Mapped[int | None] = mapped_column(BigIntKey)
    variant: Mapped[int | None] = mapped_column(Integer)
    campaign_pk: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("manager_campaigns.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Operator(Base):
    """A user who administers the account: test sends reach them."""

    __tablename__ = "manager_operators"

    channel_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    user_pk: Mapped[int] = mapped_column(
        BigIntKey, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
