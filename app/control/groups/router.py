"""Group chats and rooms: members come and go, the account's bot is invited or removed, and
members talk; each act reaches the bot in the chat as the platform's event."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import AnyHttpUrl, Field

from app.control.deps import ChannelServiceDep
from app.control.groups.repository import ChatKind, MultiChat
from app.control.groups.service import MultiChatService
from app.control.webhook.router import PostbackRequest
from app.deps import UowDep
from app.kit.errors import ErrorDetail, body_errors
from app.models import Group
from app.schemas.base import WireModel
from app.webhook.user_messages import USER_MESSAGE_BODY, read_user_message

router = APIRouter(tags=["control: groups and rooms"])

KIND: dict[str, ChatKind] = {"groups": "group", "rooms": "room"}


class CreateChatRequest(WireModel):
    members: list[str] = Field(min_length=1, max_length=500)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    picture_url: AnyHttpUrl | None = None


class MemberRequest(WireModel):
    user_id: str


class BotRequest(WireModel):
    channel_id: str


class ChatView(WireModel):
    type: ChatKind
    chat_id: str
    name: str | None = None
    picture_url: str | None = None
    channel_id: str | None = None
    members: list[str]


async def get_chat_service(uow: UowDep) -> MultiChatService:
    return MultiChatService(uow)


ChatsDep = Annotated[MultiChatService, Depends(get_chat_service)]


async def _view(chats: MultiChatService, chat: MultiChat) -> ChatView:
    channel = await chats.bot_channel(chat)
    members = await chats.chats.members(chat)
    return ChatView(
        type="group" if isinstance(chat, Group) else "room",
        chat_id=chat.chat_id,
        name=chat.name if isinstance(chat, Group) else None,
        picture_url=chat.picture_url if isinstance(chat, Group) else None,
        channel_id=channel.channel_id if channel else None,
        members=[user.user_id for user in members],
    )


def _chat_routes(plural: str, kind: ChatKind) -> None:
    """The same routes for groups and for rooms (the platform's two kinds of multi-person
    chat), one code path."""
    base = f"/{plural}/{{chatId}}"

    @router.post(
        f"/{plural}", status_code=201, response_model=ChatView, response_model_exclude_none=True
    )
    async def create_chat(body: CreateChatRequest, chats: ChatsDep) -> ChatView:
        """Users start a group (named, with a picture) or a room (a multi-person chat, which
        has neither); no account is in it yet."""
        if kind == "room":
            given = [
                ErrorDetail(f"A room has no {wire}", wire)
                for field, wire in (("name", "name"), ("picture_url", "pictureUrl"))
                if getattr(body, field) is not None
            ]
            if given:
                raise body_errors(given)
        chat = await chats.create(
            kind,
            body.members,
            body.name,
            str(body.picture_url) if body.picture_url else None,
        )
        return await _view(chats, chat)

    @router.get(base, response_model=ChatView, response_model_exclude_none=True)
    async def get_chat(chatId: str, chats: ChatsDep) -> ChatView:
        return await _view(chats, await chats.get(kind, chatId))

    @router.post(
        f"{base}/members",
        status_code=201,
        response_model=ChatView,
        response_model_exclude_none=True,
    )
    async def add_member(chatId: str, body: MemberRequest, chats: ChatsDep) -> ChatView:
        """A user joins: the bot in the chat receives memberJoined."""
        chat = await chats.get(kind, chatId)
        await chats.join(chat, await chats.user(body.user_id))
        return await _view(chats, chat)

    @router.delete(
        f"{base}/members/{{userId}}", response_model=ChatView, response_model_exclude_none=True
    )
    async def remove_member(chatId: str, userId: str, chats: ChatsDep) -> ChatView:
        """A member leaves: the bot in the chat receives memberLeft."""
        chat = await chats.get(kind, chatId)
        await chats.leave(chat, await chats.user(userId))
        return await _view(chats, chat)

    @router.put(f"{base}/bot", status_code=201)
    async def invite_bot(
        chatId: str, body: BotRequest, chats: ChatsDep, channels: ChannelServiceDep
    ) -> dict[str, Any]:
        """A member invites the channel's account: its bot joins and receives a join event (the
        answer). 409 while another account is in the chat."""
        chat = await chats.get(kind, chatId)
        return await chats.invite_bot(chat, await channels.get(body.channel_id))

    @router.delete(f"{base}/bot")
    async def remove_bot(chatId: str, chats: ChatsDep) -> dict[str, Any]:
        """A member removes the account from the chat: its bot receives a leave event (the
        answer)."""
        return await chats.remove_bot(await chats.get(kind, chatId))

    @router.post(
        f"{base}/users/{{userId}}/messages", status_code=201, openapi_extra=USER_MESSAGE_BODY
    )
    async def say_in_chat(
        chatId: str, userId: str, request: Request, chats: ChatsDep
    ) -> dict[str, Any]:
        """A member sends a message in the chat (JSON, or multipart/form-data for media, as in
        a one-to-one chat); answers the event the bot in it receives."""
        chat = await chats.get(kind, chatId)
        channel, source = await chats.speaking(chat, await chats.user(userId))
        content, media = await read_user_message(request)
        return await chats.events.message(channel, source, content, media)

    @router.post(f"{base}/users/{{userId}}/postback", status_code=201)
    async def postback_in_chat(
        chatId: str, userId: str, body: PostbackRequest, chats: ChatsDep
    ) -> dict[str, Any]:
        """A member taps a postback action in the chat; answers the postback event."""
        chat = await chats.get(kind, chatId)
        channel, source = await chats.speaking(chat, await chats.user(userId))
        return await chats.events.postback(channel, source, body.data, body.params)

    @router.get(f"{base}/messages")
    async def chat_messages(chatId: str, chats: ChatsDep) -> list[dict[str, Any]]:
        """The chat's timeline, oldest first: what the bot sent (`from: bot`, with message ids and
        quote tokens) and what members said to it (`from: user`)."""
        return await chats.timeline(await chats.get(kind, chatId))


for _plural, _kind in KIND.items():
    _chat_routes(_plural, _kind)
