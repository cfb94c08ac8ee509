"""SQLAlchemy tables, one module per table family. Importing this package registers them all."""

from app.models.audience import (
    Audience,
    AudienceFailedType,
    AudienceJob,
    AudienceJobStatus,
    AudienceMember,
    AudienceShare,
    AudienceStatus,
    AudienceType,
)
from app.models.base import Base
from app.models.channel import (
    AccessToken,
    AssertionKey,
    Channel,
    ChannelStatus,
    ChatMode,
    EventMode,
    QuotaType,
    TokenKind,
)
from app.models.chat import LinkToken, Transcoding, UserMessage
from app.models.coupon import (
    AcquisitionType,
    Coupon,
    CouponStatus,
    CouponTicket,
    CouponVisibility,
)
from app.models.engagement import Engagement, EngagementKind
from app.models.group import Group, GroupMember, Room, RoomMember
from app.models.membership import MembershipCurrency, MembershipPlan, MembershipSubscription
from app.models.message import (
    Delivery,
    DeliveryBatch,
    MessageRequest,
    Phase,
    ReplyToken,
    RetryKey,
    SendKind,
)
from app.models.user import (
    AppType,
    Friendship,
    FriendshipEvent,
    FriendshipEventKind,
    FriendshipStatus,
    Gender,
    User,
)
from app.models.webhook import EventState, WebhookAttempt, WebhookEvent

__all__ = [
    "AccessToken",
    "AcquisitionType",
    "AppType",
    "AssertionKey",
    "Audience",
    "AudienceFailedType",
    "AudienceJob",
    "AudienceJobStatus",
    "AudienceMember",
    "AudienceShare",
    "AudienceStatus",
    "AudienceType",
    "Base",
    "Channel",
    "ChannelStatus",
    "ChatMode",
    "Coupon",
    "CouponStatus",
    "CouponTicket",
    "CouponVisibility",
    "Delivery",
    "DeliveryBatch",
    "Engagement",
    "EngagementKind",
    "EventMode",
    "EventState",
    "Friendship",
    "FriendshipEvent",
    "FriendshipEventKind",
    "FriendshipStatus",
    "Gender",
    "Group",
    "GroupMember",
    "LinkToken",
    "MembershipCurrency",
    "MembershipPlan",
    "MembershipSubscription",
    "MessageRequest",
    "Phase",
    "QuotaType",
    "ReplyToken",
    "RetryKey",
    "Room",
    "RoomMember",
    "SendKind",
    "TokenKind",
    "Transcoding",
    "User",
    "UserMessage",
    "WebhookAttempt",
    "WebhookEvent",
]
