"""What happens in group chats and rooms, and the events the bot in them receives."""

from typing import Any

from sqlalchemy import select

from app.control.groups.repository import ChatKind, ChatRepository, MultiChat, kind_of
from app.control.users.repository import UserRepository
from app.delivery.service import sent_messages
from app.kit.errors import Conflict, NotFound
from app.kit.uow import UnitOfWork
from app.models import Channel, Group, MessageRequest, Room, User, UserMessage
from app.webhook.events import Chat, EventService


def chat_for(chat: MultiChat, user: User | None) -> Chat:
    """The event source of something `user` (or nobody in particular) does in the chat."""
    if isinstance(chat, Group):
        return Chat(user, group=chat)
    return Chat(user, room=chat)


class MultiChatService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session
        self.clock = uow.services.clock
        self.ids = uow.services.ids
        self.chats = ChatRepository(uow.session)
        self.users = UserRepository(uow.session)
        self.events = EventService(uow)

    async def user(self, user_id: str) -> User:
        user = await self.users.get_by_user_id(user_id)
        if user is None:
            raise NotFound(f"User {user_id} does not exist")
        return user

    async def get(self, kind: ChatKind, chat_id: str) -> MultiChat:
        chat = await self.chats.get(kind, chat_id)
        if chat is None:
            raise NotFound(f"The {kind} {chat_id} does not exist")
        return chat

    async def bot_channel(self, chat: MultiChat) -> Channel | None:
        if chat.channel_pk is None:
            return None
        return await self.session.get(Channel, chat.channel_pk)

    async def create(
        self, kind: ChatKind, members: list[str], name: str | None, picture_url: str | None
    ) -> MultiChat:
        users = [await self.user(user_id) for user_id in dict.fromkeys(members)]
        now = self.clock.now()
        chat: MultiChat
        if kind == "group":
            chat = Group(
                group_id=self.ids.group_id(),
                name=name or ", ".join(user.display_name for user in users)[:100],
                picture_url=picture_url,
                created_at=now,
            )
        else:
            chat = Room(room_id=self.ids.room_id(), created_at=now)
        await self.chats.add(chat)
        for user in users:
            await self.chats.add_member(chat, user, now)
        return chat

    async def join(self, chat: MultiChat, user: User) -> dict[str, Any] | None:
        """A user joins; the bot in the chat (if any) receives memberJoined."""
        if await self.chats.is_member(chat, user.id):
            raise Conflict(f"User {user.user_id} is already in {kind_of(chat)} {chat.chat_id}")
        await self.chats.add_member(chat, user, self.clock.now())
        channel = await self.bot_channel(chat)
        if channel is None:
            return None
        body = {"joined": {"members": [{"type": "user", "userId": user.user_id}]}}
        return await self.events.emit(
            channel, chat_for(chat, None), "memberJoined", body, reply=True
        )

    async def leave(self, chat: MultiChat, user: User) -> dict[str, Any] | None:
        """A user leaves; the bot in the chat (if any) receives memberLeft."""
        if not await self.chats.remove_member(chat, user):
            raise NotFound(f"User {user.user_id} is not in {kind_of(chat)} {chat.chat_id}")
        channel = await self.bot_channel(chat)
        if channel is None:
            return None
        body = {"left": {"members": [{"type": "user", "userId": user.user_id}]}}
        return await self.events.emit(
            channel, chat_for(chat, None), "memberLeft", body, reply=False
        )

    async def invite_bot(self, chat: MultiChat, channel: Channel) -> dict[str, Any]:
        """A member invites the account; its bot joins and receives a join event. A chat holds
        at most one official account, as on the platform."""
        if chat.channel_pk is not None:
            raise Conflict(
                f"An official account is already in {kind_of(chat)} {chat.chat_id}: remove it first"
            )
        chat.channel_pk = channel.id
        chat.bot_joined_at = self.clock.now()
        return await self.events.emit(channel, chat_for(chat, None), "join", {}, reply=True)

    async def remove_bot(self, chat: MultiChat) -> dict[str, Any]:
        """The bot leaves (removed by a member, or through the leave API): a leave event."""
        channel = await self.bot_channel(chat)
        if channel is None:
            raise Conflict(f"No official account is in {kind_of(chat)} {chat.chat_id}")
        chat.channel_pk = None
        chat.bot_joined_at = None
        return await self.events.emit(channel, chat_for(chat, None), "leave", {}, reply=False)

    async def speaking(self, chat: MultiChat, user: User) -> tuple[Channel, Chat]:
        """The account a member's message or tap in the chat reaches, and the event source."""
        if not await self.chats.is_member(chat, user.id):
            raise Conflict(f"User {user.user_id} is not in {kind_of(chat)} {chat.chat_id}")
        channel = await self.bot_channel(chat)
        if channel is None:
            raise Conflict(
                f"No official account is in {kind_of(chat)} {chat.chat_id}: invite one first"
            )
        return channel, chat_for(chat, user)

    async def timeline(self, chat: MultiChat) -> list[dict[str, Any]]:
        """Everything said in the chat while a bot was there, oldest first: the bot's messages
        and the members' messages to it."""
        is_group = isinstance(chat, Group)
        requests = await self.session.scalars(
            select(MessageRequest)
            .where((MessageRequest.group_pk if is_group else MessageRequest.room_pk) == chat.id)
            .order_by(MessageRequest.id)
        )
        items: list[dict[str, Any]] = []
        channels: dict[int, Channel] = {}
        for request in requests:
            if request.channel_pk not in channels:
                channels[request.channel_pk] = await self.session.get_one(
                    Channel, request.channel_pk
                )
            channel = channels[request.channel_pk]
            for sent, message in zip(
                sent_messages(channel, request.kind, request.id, request.messages),
                request.messages,
                strict=True,
            ):
                items.append(
                    {
                        "from": "bot",
                        "channelId": channel.channel_id,
                        "messageId": sent.id,
                        "quoteToken": sent.quote_token,
                        "via": request.kind.value,
                        "requestId": request.request_id,
                        "sentAt": request.accepted_at,
                        "message": message,
                    }
                )
        said = await self.session.execute(
            select(UserMessage, User.user_id)
            .join(User, User.id == UserMessage.user_pk)
            .where((UserMessage.group_pk if is_group else UserMessage.room_pk) == chat.id)
            .order_by(UserMessage.id)
        )
        for row, user_id in said:
            items.append(
                {
                    "from": "user",
                    "userId": user_id,
                    "messageId": row.message_id,
                    "sentAt": row.sent_at,
                    "unsent": row.unsent_at is not None,
                    "message": row.message,
                }
            )
        items.sort(key=lambda item: item["sentAt"])
        return items
