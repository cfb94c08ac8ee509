from datetime import datetime
from typing import Any

from app.control.schemas import UserView
from app.models import (
    AudienceJobStatus,
    AudienceStatus,
    FriendshipStatus,
    Phase,
    RichMenuBatchPhase,
    SendKind,
)
from app.schemas.base import WireModel


class FollowerDay(WireModel):
    date: str  # yyyyMMdd, a Japan day as insight counts them
    followers: int  # friends at the end of the day
    follows: int
    unblocks: int
    blocks: int


class FollowerSeries(WireModel):
    days: list[FollowerDay]


class DeliveryDay(WireModel):
    date: str
    total: int
    by_kind: dict[SendKind, int]


class DeliverySeries(WireModel):
    days: list[DeliveryDay]


class SendEngagementView(WireModel):
    request_id: str
    kind: SendKind
    accepted_at: datetime
    phase: Phase
    message_types: list[str]
    target_count: int | None
    delivered: int
    opens: int
    clicks: int


class NarrowcastProgress(WireModel):
    request_id: str
    phase: Phase
    accepted_at: datetime
    completed_at: datetime | None
    target_count: int | None
    success_count: int
    failure_count: int
    error_code: int | None
    failed_description: str | None


class RichMenuBatchProgress(WireModel):
    request_id: str
    phase: RichMenuBatchPhase
    operations: int
    accepted_at: datetime
    completed_at: datetime | None


class AudienceUploadProgress(WireModel):
    audience_group_id: int
    description: str
    audience_status: AudienceStatus
    job_description: str | None
    status: AudienceJobStatus
    audience_count: int
    created_at: datetime
    finishes_at: datetime


class ProgressView(WireModel):
    narrowcasts: list[NarrowcastProgress]
    rich_menu_batches: list[RichMenuBatchProgress]
    audience_uploads: list[AudienceUploadProgress]


class ConsoleUser(UserView):
    """A user with their friendship of the channel."""

    status: FriendshipStatus
    followed_at: datetime
    since: datetime
    blocked_at: datetime | None


class UserPage(WireModel):
    total: int
    users: list[ConsoleUser]


class TimelineItem(WireModel):
    # "bot": delivered to the user (as the inbox shows it); "user": sent by the user.
    sender: str
    message_id: str
    sent_at: datetime
    message: dict[str, Any]
    via: str | None = None
    read: bool | None = None
    unsent: bool | None = None
    has_content: bool | None = None
