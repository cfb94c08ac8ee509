"""Recording what users do with delivered messages (opens, clicks) and sharing audiences:
what click- and impression-based audiences and shared audiences are built from."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.engagement.service import EngagementService, SharingService
from app.deps import ClockDep, SessionDep
from app.models import Engagement, EngagementKind
from app.schemas.base import WireModel

router = APIRouter(tags=["control: engagement"])
MESSAGE = "/channels/{channelId}/users/{userId}/inbox/{messageId}"


class ClickRequest(WireModel):
    url: str = Field(min_length=1, max_length=2000)


class EngagementView(WireModel):
    kind: EngagementKind
    message_id: str
    request_id: str
    message_index: int
    url: str | None = None
    aggregation_unit: str | None = None
    occurred_at: datetime


class ShareRequest(WireModel):
    channel_id: str


class ShareView(WireModel):
    audience_group_id: int
    owner_channel_id: str
    channel_id: str


async def get_engagement(session: SessionDep, clock: ClockDep) -> EngagementService:
    return EngagementService(session, clock)


async def get_sharing(session: SessionDep, clock: ClockDep) -> SharingService:
    return SharingService(session, clock)


EngagementDep = Annotated[EngagementService, Depends(get_engagement)]
SharingDep = Annotated[SharingService, Depends(get_sharing)]


def _view(row: Engagement, message_id: str, request_id: str) -> EngagementView:
    return EngagementView(
        kind=row.kind,
        message_id=message_id,
        request_id=request_id,
        message_index=row.message_index,
        url=row.url,
        aggregation_unit=row.aggregation_unit,
        occurred_at=row.occurred_at,
    )


@router.post(
    f"{MESSAGE}/open",
    status_code=201,
    response_model=EngagementView,
    response_model_exclude_none=True,
)
async def open_message(
    channelId: str,
    userId: str,
    messageId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    engagement: EngagementDep,
) -> EngagementView:
    """The user views a message from their inbox (`messageId` as the inbox shows it): an
    impression, counted per request and aggregation unit."""
    row, request_id = await _record(
        channelId, userId, messageId, channels, users, engagement, EngagementKind.OPEN, None
    )
    return _view(row, messageId, request_id)


@router.post(
    f"{MESSAGE}/click",
    status_code=201,
    response_model=EngagementView,
    response_model_exclude_none=True,
)
async def click_url(
    channelId: str,
    userId: str,
    messageId: str,
    body: ClickRequest,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    engagement: EngagementDep,
) -> EngagementView:
    """The user taps a URL that appears in the message (a uri action, or a link in text)."""
    row, request_id = await _record(
        channelId, userId, messageId, channels, users, engagement, EngagementKind.CLICK, body.url
    )
    return _view(row, messageId, request_id)


async def _record(
    channel_id: str,
    user_id: str,
    message_id: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    engagement: EngagementService,
    kind: EngagementKind,
    url: str | None,
) -> tuple[Engagement, str]:
    channel, user = await channels.get(channel_id), await users.get(user_id)
    row, request = await engagement.record(channel, user, message_id, kind, url)
    return row, request.request_id


@router.post(
    "/channels/{channelId}/audiences/{audienceGroupId}/shares",
    status_code=201,
    response_model=ShareView,
)
async def share_audience(
    channelId: str,
    audienceGroupId: int,
    body: ShareRequest,
    channels: ChannelServiceDep,
    sharing: SharingDep,
) -> ShareView:
    """Share the channel's audience with another channel, as Business Manager does: the other
    channel then lists it with the shared-audience endpoints (permission READ) and can
    narrowcast to it."""
    owner, target = await channels.get(channelId), await channels.get(body.channel_id)
    await sharing.share(owner, audienceGroupId, target)
    return ShareView(
        audience_group_id=audienceGroupId,
        owner_channel_id=owner.channel_id,
        channel_id=target.channel_id,
    )
