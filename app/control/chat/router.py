"""The chat as the user's app shows it, account linking, and the account's status and mode."""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends
from pydantic import Field, model_validator

from app.control.chat.service import ChatControlService
from app.control.deps import ChannelServiceDep, UserServiceDep
from app.control.webhook.router import ActingDep
from app.deps import UowDep
from app.models import ChannelStatus, EventMode
from app.schemas.base import WireModel

router = APIRouter(tags=["control: chat"])
CHANNEL = "/channels/{channelId}"
USER = CHANNEL + "/users/{userId}"
LINK_URL = "https://access.line.me/dialog/bot/accountLink"


async def get_chat_control(uow: UowDep) -> ChatControlService:
    return ChatControlService(uow)


ChatControlDep = Annotated[ChatControlService, Depends(get_chat_control)]


class SentMessageView(WireModel):
    message_id: str
    type: str
    sent_at: datetime
    read: bool
    unsent: bool


class ChatView(WireModel):
    loading: bool
    loading_until: datetime | None = None
    messages: list[SentMessageView]


class AccountLinkRequest(WireModel):
    """Either the token and nonce, or the linking URL the bot sent the user."""

    link_token: str | None = Field(default=None, min_length=1, max_length=64)
    nonce: str | None = Field(default=None, min_length=1, max_length=255)
    url: str | None = Field(
        default=None, description=f"{LINK_URL}?linkToken=...&nonce=... as the bot built it"
    )

    @model_validator(mode="after")
    def token_and_nonce(self) -> "AccountLinkRequest":
        if self.url is not None:
            parts = urlsplit(self.url)
            if f"{parts.scheme}://{parts.netloc}{parts.path}" != LINK_URL:
                raise ValueError(f"url must start with {LINK_URL}")
            query = parse_qs(parts.query)
            self.link_token = self.link_token or next(iter(query.get("linkToken", [])), None)
            self.nonce = self.nonce or next(iter(query.get("nonce", [])), None)
        if not self.link_token or not self.nonce:
            raise ValueError("linkToken and nonce are required (or a url carrying both)")
        return self


class StatusRequest(WireModel):
    status: ChannelStatus
    user_id: str | None = Field(
        default=None,
        description="activated/deactivated: the chat whose control changed (their source)",
    )
    chat_control_ttl: Annotated[int, Field(ge=1, le=31_536_000)] = Field(
        default=3600, description="activated: seconds until chatControl.expireAt"
    )


class StateView(WireModel):
    status: ChannelStatus
    mode: EventMode


class StatusChangeView(StateView):
    changed: bool = Field(description="False when the channel already had this status.")
    events: list[dict[str, Any]]


class ModeRequest(WireModel):
    mode: EventMode


@router.get(f"{USER}/chat", response_model=ChatView, response_model_exclude_none=True)
async def get_chat(
    channelId: str,
    userId: str,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: ChatControlDep,
) -> ChatView:
    """The one-on-one chat as the user's app shows it: whether the bot's loading animation
    shows, and the messages the user sent with their read marks."""
    state = await chats.chat(await channels.get(channelId), await users.get(userId))
    return ChatView(
        loading=state.loading_until is not None,
        loading_until=state.loading_until,
        messages=[
            SentMessageView(
                message_id=m.message_id,
                type=m.type,
                sent_at=m.sent_at,
                read=m.read,
                unsent=m.unsent,
            )
            for m in state.messages
        ],
    )


@router.post(f"{USER}/account-link", status_code=201)
async def account_link(
    body: AccountLinkRequest, acting: ActingDep, chats: ChatControlDep
) -> dict[str, Any]:
    """The user opens the bot's linking URL after logging in to the bot's service; answers
    the accountLink event (`ok` with a reply token, or `failed`)."""
    assert body.link_token is not None and body.nonce is not None  # the validator saw to it
    return await chats.link(acting.channel, acting.user, body.link_token, body.nonce)


@router.get(f"{CHANNEL}/status", response_model=StateView)
async def get_status(channelId: str, channels: ChannelServiceDep) -> StateView:
    channel = await channels.get(channelId)
    return StateView(status=channel.status, mode=channel.event_mode)


@router.post(f"{CHANNEL}/status", response_model=StatusChangeView)
async def set_status(
    channelId: str,
    body: StatusRequest,
    channels: ChannelServiceDep,
    users: UserServiceDep,
    chats: ChatControlDep,
) -> StatusChangeView:
    """Suspend or resume the account (botSuspended/botResumed), or deactivate/activate it as
    a module channel losing/gaining chat control (deactivated/activated; deactivated also
    puts it in standby mode). While suspended every LINE API call answers 403."""
    channel = await channels.get(channelId)
    user = await users.get(body.user_id) if body.user_id else None
    change = await chats.set_status(channel, body.status, user, body.chat_control_ttl)
    return StatusChangeView(
        status=change.status, mode=change.mode, changed=change.changed, events=change.events
    )


@router.put(f"{CHANNEL}/mode", response_model=ModeRequest)
async def put_mode(channelId: str, body: ModeRequest, channels: ChannelServiceDep) -> ModeRequest:
    """`standby`: another channel holds the chats, so events reach this bot with mode
    `standby` and no reply token; `active` again gives them back."""
    (await channels.get(channelId)).event_mode = body.mode
    return body
