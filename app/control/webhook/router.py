"""What users do that reaches the bot as webhook events, and the log of what was sent."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from sqlalchemy import update

from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.messages.service import InboxService
from app.deps import ClockDep, UowDep
from app.kit.errors import Conflict
from app.models import Channel, ChannelStatus, EventState, FriendshipStatus, User, WebhookEvent
from app.schemas.base import WireModel
from app.schemas.urls import WebhookUrl
from app.webhook.events import Chat, EventService
from app.webhook.repository import WebhookRepository
from app.webhook.user_messages import USER_MESSAGE_BODY, read_user_message

router = APIRouter(tags=["control: webhooks"])
USER = "/channels/{channelId}/users/{userId}"


class PostbackRequest(WireModel):
    data: str = Field(min_length=1, max_length=300)
    params: dict[str, Any] | None = None
    display_text: str | None = Field(default=None, max_length=300)


class BeaconRequest(WireModel):
    hwid: str = Field(pattern=r"^[0-9a-f]{10}$")
    type: Literal["enter", "banner", "stay"] = "enter"
    dm: str | None = Field(default=None, pattern=r"^[0-9a-f]{0,26}$")


class VideoPlayCompleteRequest(WireModel):
    tracking_id: str = Field(min_length=1, max_length=100)


class WebhookSettings(WireModel):
    url: WebhookUrl | None = None
    enabled: bool | None = None
    redelivery: bool | None = None


class WebhookSettingsView(WireModel):
    url: str | None
    enabled: bool
    redelivery: bool


class AttemptView(WireModel):
    started_at: datetime
    url: str
    event_ids: list[str]
    is_redelivery: bool
    success: bool
    status_code: int
    reason: str | None
    detail: str | None
    latency_ms: int
    response: str | None


def _settings_view(channel: Channel) -> WebhookSettingsView:
    return WebhookSettingsView(
        url=channel.webhook_url,
        enabled=channel.webhook_enabled,
        redelivery=channel.webhook_redelivery,
    )


@dataclass(frozen=True)
class Acting:
    """A user acting towards a channel, and where the events of the act go."""

    channel: Channel
    user: User
    events: EventService


async def acting_user(
    channelId: str, userId: str, channels: ChannelServiceDep, users: UserServiceDep, uow: UowDep
) -> Acting:
    """The channel and the user of the path; a user who blocked the account reaches it no more."""
    channel, user = await channels.get(channelId), await users.get(userId)
    if channel.status == ChannelStatus.SUSPENDED:
        raise Conflict(f"Channel {channel.channel_id} is suspended: its account takes no messages")
    friendship = await users.users.friendship(channel.id, user.id)
    if friendship is not None and friendship.status == FriendshipStatus.BLOCKED:
        raise Conflict(f"User {user.user_id} has blocked channel {channel.channel_id}")
    return Acting(channel, user, EventService(uow))


ActingDep = Annotated[Acting, Depends(acting_user)]


@router.post(f"{USER}/messages", status_code=201, openapi_extra=USER_MESSAGE_BODY)
async def send_message(request: Request, acting: ActingDep) -> dict[str, Any]:
    """The user sends a message to the account: JSON for text (with LINE emoji and mentions),
    sticker and location; multipart/form-data with `type` (image, video, audio, file), `file`,
    `duration` (ms, video and audio) and `fileName` (file) for uploaded content. Answers the
    webhook event the bot will receive."""
    content, media = await read_user_message(request)
    return await acting.events.message(acting.channel, Chat(acting.user), content, media)


@router.post(f"{USER}/postback", status_code=201)
async def postback(body: PostbackRequest, acting: ActingDep) -> dict[str, Any]:
    """The user taps a postback action; answers the webhook event the bot will receive."""
    return await acting.events.postback(acting.channel, Chat(acting.user), body.data, body.params)


@router.post(f"{USER}/beacon", status_code=201)
async def beacon(body: BeaconRequest, acting: ActingDep) -> dict[str, Any]:
    """The user passes a LINE Beacon (`hwid`, 10 hex digits); answers the beacon event."""
    return await acting.events.beacon(acting.channel, acting.user, body.hwid, body.type, body.dm)


@router.post(f"{USER}/video-play-complete", status_code=201)
async def video_play_complete(
    body: VideoPlayCompleteRequest, acting: ActingDep, uow: UowDep, clock: ClockDep
) -> dict[str, Any]:
    """The user watches to the end a video the channel sent with this `trackingId`; 409 unless
    such a video is in the user's inbox (the app reports only those)."""
    received = await InboxService(uow.session, clock).inbox(acting.channel, acting.user)
    if not any(
        item["message"].get("type") == "video"
        and item["message"].get("trackingId") == body.tracking_id
        for item in received
    ):
        raise Conflict(
            f"User {acting.user.user_id} has no video with trackingId {body.tracking_id}"
        )
    return await acting.events.video_play_complete(acting.channel, acting.user, body.tracking_id)


@router.get("/channels/{channelId}/webhook", response_model=WebhookSettingsView)
async def get_webhook(channelId: str, channels: ChannelServiceDep) -> WebhookSettingsView:
    channel = await channels.get(channelId)
    return _settings_view(channel)


@router.put("/channels/{channelId}/webhook", response_model=WebhookSettingsView)
async def put_webhook(
    channelId: str, body: WebhookSettings, channels: ChannelServiceDep
) -> WebhookSettingsView:
    """Set the webhook URL, switch the webhook on or off, switch redelivery on or off."""
    channel = await channels.get(channelId)
    if "url" in body.model_fields_set:
        channel.webhook_url = str(body.url) if body.url else None
    if body.enabled is not None:
        channel.webhook_enabled = body.enabled
    if body.redelivery is not None:
        channel.webhook_redelivery = body.redelivery
    return _settings_view(channel)


@router.get("/channels/{channelId}/webhook/deliveries", response_model=list[AttemptView])
async def webhook_deliveries(
    channelId: str,
    channels: ChannelServiceDep,
    uow: UowDep,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[AttemptView]:
    """Every signed request sent to the bot, newest first: its events, status and reason."""
    channel = await channels.get(channelId)
    attempts = await WebhookRepository(uow.session).attempts(channel.id, limit)
    return [
        AttemptView(
            started_at=a.started_at,
            url=a.url,
            event_ids=a.event_ids,
            is_redelivery=a.is_redelivery,
            success=a.success,
            status_code=a.status_code,
            reason=a.reason,
            detail=a.detail,
            latency_ms=a.latency_ms,
            response=a.response,
        )
        for a in attempts
    ]


@router.post("/channels/{channelId}/webhook/redeliver", status_code=202)
async def redeliver_now(channelId: str, channels: ChannelServiceDep, uow: UowDep) -> dict[str, Any]:
    """Events waiting for a redelivery are sent now rather than on the schedule."""
    channel = await channels.get(channelId)
    await uow.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.channel_pk == channel.id, WebhookEvent.state == EventState.PENDING)
        .values(next_attempt_at=None)
    )
    uow.enqueue_after_commit("dispatch_webhooks", channel_pk=channel.id)
    return {}
