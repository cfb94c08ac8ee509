"""Wire models of the control plane (camelCase, like the LINE API)."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AnyHttpUrl, Field, StringConstraints

from app.models import AppType, ChatMode, FriendshipStatus, Gender, QuotaType, User
from app.schemas.base import WireModel
from app.schemas.urls import WebhookUrl

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
AreaCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}_[0-9]{2}$")]
# At most 16 characters: what the users table keeps (zh-Hant-TW is 10; longer answered 500).
LanguageTag = Annotated[
    str, StringConstraints(max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
]


class CreateChannelRequest(WireModel):
    name: Name
    webhook_url: WebhookUrl | None = None
    picture_url: AnyHttpUrl | None = None
    chat_mode: ChatMode = ChatMode.BOT


class ChannelCredentials(WireModel):
    channel_id: str
    channel_secret: str
    bot_user_id: str
    basic_id: str
    access_token: str


class ChannelView(WireModel):
    channel_id: str
    channel_secret: str
    bot_user_id: str
    basic_id: str
    name: str
    picture_url: str | None
    webhook_url: str | None
    webhook_enabled: bool
    webhook_redelivery: bool
    chat_mode: ChatMode
    quota_type: QuotaType
    quota_limit: int | None
    created_at: datetime


class CreateUserRequest(WireModel):
    display_name: Name
    picture_url: AnyHttpUrl | None = None
    status_message: Annotated[str, StringConstraints(max_length=500)] | None = None
    language: LanguageTag | None = None
    gender: Gender | None = None
    age: Annotated[int, Field(ge=0, le=150)] | None = None
    area: AreaCode | None = None
    app_type: AppType | None = None
    # E.164, for LINE notification messages (sent to a phone number, friend or not).
    phone_number: Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")] | None = None


class UserView(WireModel):
    user_id: str
    display_name: str
    picture_url: str | None = None
    status_message: str | None = None
    language: str | None = None
    gender: Gender | None = None
    age: int | None = None
    area: str | None = None
    app_type: AppType | None = None
    phone_number: str | None = None


def user_view(user: User) -> UserView:
    return UserView(
        user_id=user.user_id,
        display_name=user.display_name,
        picture_url=user.picture_url,
        status_message=user.status_message,
        language=user.language,
        gender=user.gender,
        age=user.age,
        area=user.area,
        app_type=user.app_type,
        phone_number=user.phone_number,
    )


class FriendshipView(WireModel):
    channel_id: str
    user_id: str
    status: FriendshipStatus
    followed_at: datetime
    since: datetime
    blocked_at: datetime | None = None
    is_unblocked: bool | None = Field(
        default=None, description="On follow: whether this follow lifted an earlier block."
    )
    changed: bool = Field(description="False when the user already was in this state.")


class BulkUsersRequest(WireModel):
    count: Annotated[int, Field(ge=1, le=5_000_000)]
    seed: Annotated[int, Field(ge=0, le=2**62)] | None = None


class BulkUsersResult(WireModel):
    channel_id: str
    created: int
    seed: int


class HealthView(WireModel):
    status: str
    database: str
    queue: str
    version: str


class ResetResult(WireModel):
    kept_channels: bool
    tables: list[str]


def dump(model: WireModel) -> dict[str, Any]:
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")
