from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, model_validator

from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.messages.service import InboxService, set_quota
from app.control.plans.service import PlanService
from app.deps import ClockDep, SessionDep, UowDep
from app.models import QuotaType
from app.schemas.base import WireModel

router = APIRouter(tags=["control: messages"])


async def get_inbox_service(session: SessionDep, clock: ClockDep) -> InboxService:
    return InboxService(session, clock)


InboxDep = Annotated[InboxService, Depends(get_inbox_service)]


class InboxItem(WireModel):
    message_id: str
    quote_token: str | None = None
    via: str = Field(
        description="How it was sent: reply, push, multicast, broadcast, narrowcast, pnp; "
        "from the account manager also greeting, auto_reply, step and test "
        "(docs/account-manager.md)"
    )
    request_id: str
    sent_at: datetime
    message: dict[str, Any]


class ReplyTokenView(WireModel):
    reply_token: str
    expires_at: datetime


class QuotaPlan(WireModel):
    type: QuotaType
    value: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def value_with_limited(self) -> "QuotaPlan":
        if self.type == QuotaType.LIMITED and self.value is None:
            raise ValueError("value is required when type is limited")
        return self


INBOX = "/channels/{channelId}/users/{userId}/inbox"


@router.get(INBOX, response_model=list[InboxItem], response_model_exclude_none=True)
async def get_inbox(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    inbox: InboxDep,
) -> list[dict[str, Any]]:
    """What the user received from the channel, oldest first, each message as it was sent."""
    return await inbox.inbox(await channels.get(channelId), await users.get(userId))


@router.delete(INBOX, status_code=204)
async def clear_inbox(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    inbox: InboxDep,
) -> None:
    await inbox.clear(await channels.get(channelId), await users.get(userId))


@router.post(
    "/channels/{channelId}/users/{userId}/reply-tokens",
    status_code=201,
    response_model=ReplyTokenView,
)
async def mint_reply_token(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    inbox: InboxDep,
) -> ReplyTokenView:
    """A reply token as an event from this user would carry (valid 60 s, single use)."""
    token = await inbox.mint_reply_token(await channels.get(channelId), await users.get(userId))
    return ReplyTokenView(reply_token=token.token, expires_at=token.expires_at)


@router.put(
    "/channels/{channelId}/quota", response_model=QuotaPlan, response_model_exclude_none=True
)
async def put_quota(
    channelId: str, body: QuotaPlan, channels: ChannelServiceDep, uow: UowDep
) -> QuotaPlan:
    """The channel's monthly message quota: `none` (unlimited) or `limited` to `value`; 409
    on a channel with a billing plan, whose plan sets it."""
    channel = await channels.get(channelId)
    await PlanService(uow).refuse_manual_quota(channel)
    set_quota(channel, body.type, body.value)
    return body


class RateLimitSetting(WireModel):
    enabled: bool


@router.put("/channels/{channelId}/rate-limits", response_model=RateLimitSetting)
async def put_rate_limits(
    channelId: str, body: RateLimitSetting, channels: ChannelServiceDep
) -> RateLimitSetting:
    """Switch the platform's per-endpoint rate limits on or off for one channel."""
    (await channels.get(channelId)).rate_limits_enabled = body.enabled
    return body
