from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from app.api.chat.service import ChatService
from app.api.deps import ChannelDep
from app.deps import ClockDep, SessionDep
from app.schemas.base import WireModel

router = APIRouter(tags=["messaging-api"])

EMPTY: dict[str, Any] = {}


class LineRequest(BaseModel):
    # Unknown properties are ignored: a newer SDK may send fields this server does not know.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class ShowLoadingAnimationRequest(LineRequest):
    chat_id: StrictStr
    loading_seconds: Annotated[StrictInt, Field(ge=5, le=60, multiple_of=5)] = 20


class ChatReference(LineRequest):
    user_id: StrictStr


class MarkMessagesAsReadRequest(LineRequest):
    chat: ChatReference


class MarkMessagesAsReadByTokenRequest(LineRequest):
    mark_as_read_token: StrictStr


class IssueLinkTokenResponse(WireModel):
    link_token: str


async def get_chat_service(session: SessionDep, clock: ClockDep) -> ChatService:
    return ChatService(session, clock)


ChatDep = Annotated[ChatService, Depends(get_chat_service)]


@router.post("/v2/bot/chat/loading/start", status_code=202)
async def show_loading_animation(
    body: ShowLoadingAnimationRequest, channel: ChannelDep, chats: ChatDep
) -> dict[str, Any]:
    """Shows the loading animation in a friend's one-on-one chat for 5-60 s (steps of 5) or
    until the bot's next message reaches that chat."""
    await chats.start_loading(channel, body.chat_id, body.loading_seconds)
    return EMPTY


@router.post("/v2/bot/message/markAsRead")
async def mark_messages_as_read(
    body: MarkMessagesAsReadRequest, channel: ChannelDep, chats: ChatDep
) -> dict[str, Any]:
    """Marks every message the user sent to the account read."""
    await chats.mark_read(channel, body.chat.user_id)
    return EMPTY


@router.post("/v2/bot/chat/markAsRead")
async def mark_messages_as_read_by_token(
    body: MarkMessagesAsReadByTokenRequest, channel: ChannelDep, chats: ChatDep
) -> dict[str, Any]:
    """Marks the message the token came with, and the earlier ones of that chat, read."""
    await chats.mark_read_by_token(channel, body.mark_as_read_token)
    return EMPTY


@router.post("/v2/bot/user/{userId}/linkToken", response_model=IssueLinkTokenResponse)
async def issue_link_token(
    userId: str, channel: ChannelDep, chats: ChatDep
) -> IssueLinkTokenResponse:
    """A link token for account linking: valid 10 minutes, single use."""
    return IssueLinkTokenResponse(link_token=await chats.issue_link_token(channel, userId))
