"""The one-to-one chat as operators see it in the Official Account Manager: the thread with a
user (what they wrote and everything the account sent them), answers typed by an operator,
chat tags (and audiences made of them) and notes.

Limits are the chat premium plan's (the brief): 300 tags per account, 30 per chat and 1,000
notes per chat.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from app.api.audience.service import AudienceService
from app.control.direct import send_direct
from app.control.operator_chat.repository import OperatorChatRepository
from app.control.users.repository import UserRepository
from app.delivery import identity
from app.delivery.repository import DeliveryRepository
from app.kit.errors import BadRequest, Conflict, ErrorDetail, NotFound
from app.kit.repository import unique_or
from app.kit.uow import UnitOfWork
from app.models import (
    Audience,
    Channel,
    ChatMode,
    ChatNote,
    ChatTag,
    ChatTagging,
    FriendshipStatus,
    SendKind,
    User,
)

MAX_TAGS = 300
MAX_TAGS_PER_CHAT = 30
MAX_NOTES_PER_CHAT = 1_000


@dataclass(frozen=True)
class ThreadItem:
    sender: Literal["user", "account"]
    message_id: str
    sent_at: datetime
    message: dict[str, Any]
    via: str | None = None
    unsent: bool = False


class OperatorChatService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.session = uow.session
        self.clock = uow.services.clock
        self.chats = OperatorChatRepository(uow.session)
        self.users = UserRepository(uow.session)

    # --- thread and answers -------------------------------------------------------------------

    async def thread(self, channel: Channel, user: User, limit: int) -> list[ThreadItem]:
        """The latest `limit` messages of the chat, oldest first."""
        items = [
            ThreadItem(
                "user",
                row.message_id,
                row.sent_at,
                row.message,
                unsent=row.unsent_at is not None,
            )
            for row in await self.chats.user_messages(channel.id, user.id, limit)
        ]
        # A delivery is at least one message: the latest `limit` of each side hold the thread's.
        for delivery, request in await DeliveryRepository(self.session).inbox(
            channel.id, user.id, None, latest=limit
        ):
            for index, message in enumerate(request.messages):
                message_id = identity.message_id(request.kind, request.id, delivery.user_pk, index)
                items.append(
                    ThreadItem(
                        "account", message_id, delivery.delivered_at, message, request.kind.value
                    )
                )
        items.sort(key=lambda item: item.sent_at)
        return items[-limit:]

    async def answer(
        self, channel: Channel, user: User, messages: list[dict[str, Any]]
    ) -> list[tuple[str, str | None]]:
        """An operator's answer: delivered to the user (`via: chat`), outside the quota. The
        bot receives nothing, as on the platform. Only while the chat is on (response mode
        `chat` or `both`): in `bot` mode nobody answers by hand."""
        if channel.chat_mode != ChatMode.CHAT:
            raise Conflict(
                f"Channel {channel.channel_id} has the chat off (response mode bot): "
                "operators answer only in chat or both mode"
            )
        friendship = await self.users.friendship(channel.id, user.id)
        if friendship is None or friendship.status != FriendshipStatus.FOLLOWING:
            raise Conflict(f"User {user.user_id} is not a friend of channel {channel.channel_id}")
        request = await send_direct(
            self.session, channel, SendKind.CHAT, messages, self.clock.now(), user_pk=user.id
        )
        sent = []
        for index, message in enumerate(messages):
            message_id = identity.message_id(SendKind.CHAT, request.id, user.id, index)
            token = (
                identity.quote_token(channel.secret, message_id)
                if identity.quotable(message)
                else None
            )
            sent.append((message_id, token))
        return sent

    async def list_chats(
        self, channel: Channel, tag_pks: list[int], *, match_all: bool, limit: int
    ) -> list[tuple[User, list[ChatTag]]]:
        if tag_pks:
            known = await self.chats.tags_by_key(channel.id, tag_pks)
            for tag_pk in tag_pks:
                if tag_pk not in known:
                    raise self._no_tag(channel, tag_pk, "tag")
            users = await self.chats.tagged_users(
                channel.id, tag_pks, match_all=match_all, limit=limit
            )
        else:
            users = await self.chats.talking_users(channel.id, limit)
        tags = await self.chats.tags_of_users(channel.id, [user.id for user in users])
        return [(user, tags[user.id]) for user in users]

    # --- tags ---------------------------------------------------------------------------------

    async def create_tag(self, channel: Channel, name: str) -> ChatTag:
        taken = Conflict(
            f"Channel {channel.channel_id} already has a chat tag named {name!r}",
            [ErrorDetail("Already exists", "name")],
        )
        if await self.chats.tag_named(channel.id, name) is not None:
            raise taken
        if await self.chats.count_tags(channel.id) >= MAX_TAGS:
            raise BadRequest(
                f"A channel has at most {MAX_TAGS} chat tags", [ErrorDetail("Too many", "name")]
            )
        async with unique_or(self.uow.session, lambda _: taken):
            return await self.chats.add(
                ChatTag(channel_pk=channel.id, name=name, created_at=self.clock.now())
            )

    async def tags(self, channel: Channel) -> list[tuple[ChatTag, int]]:
        return list(await self.chats.tags(channel.id))

    async def tag(self, channel: Channel, tag_pk: int, prop: str = "tagId") -> ChatTag:
        tag = await self.chats.tag(channel.id, tag_pk)
        if tag is None:
            raise self._no_tag(channel, tag_pk, prop)
        return tag

    def _no_tag(self, channel: Channel, tag_pk: int, prop: str) -> NotFound:
        return NotFound(
            f"Channel {channel.channel_id} has no chat tag {tag_pk}",
            details=[ErrorDetail("Not found", prop)],
        )

    async def delete_tag(self, channel: Channel, tag_pk: int) -> None:
        await self.chats.delete_tag(await self.tag(channel, tag_pk))

    async def tag_chat(self, channel: Channel, user: User, tag_pk: int) -> list[ChatTag]:
        tag = await self.tag(channel, tag_pk)
        await self._require_chat(channel, user)
        if await self.chats.tagging(tag.id, user.id) is None:
            if len(await self.chats.tags_of(channel.id, user.id)) >= MAX_TAGS_PER_CHAT:
                raise BadRequest(
                    f"A chat carries at most {MAX_TAGS_PER_CHAT} tags",
                    [ErrorDetail("Too many", "tagId")],
                )
            await self.chats.add(
                ChatTagging(tag_pk=tag.id, user_pk=user.id, tagged_at=self.clock.now())
            )
        return list(await self.chats.tags_of(channel.id, user.id))

    async def untag_chat(self, channel: Channel, user: User, tag_pk: int) -> list[ChatTag]:
        tag = await self.tag(channel, tag_pk)
        await self.chats.untag(tag.id, user.id)
        return list(await self.chats.tags_of(channel.id, user.id))

    async def tags_of(self, channel: Channel, user: User) -> list[ChatTag]:
        return list(await self.chats.tags_of(channel.id, user.id))

    async def audience_from_tag(self, channel: Channel, tag_pk: int, description: str) -> Audience:
        tag = await self.tag(channel, tag_pk)
        return await AudienceService(self.uow, channel).create_from_chat_tag(description, tag.id)

    # --- notes --------------------------------------------------------------------------------

    async def add_note(self, channel: Channel, user: User, text: str) -> ChatNote:
        await self._require_chat(channel, user)
        if await self.chats.count_notes(channel.id, user.id) >= MAX_NOTES_PER_CHAT:
            raise BadRequest(
                f"A chat has at most {MAX_NOTES_PER_CHAT} notes", [ErrorDetail("Too many", "text")]
            )
        return await self.chats.add(
            ChatNote(channel_pk=channel.id, user_pk=user.id, text=text, created_at=self.clock.now())
        )

    async def notes(self, channel: Channel, user: User) -> list[ChatNote]:
        return list(await self.chats.notes(channel.id, user.id))

    async def delete_note(self, channel: Channel, user: User, note_pk: int) -> None:
        note = await self.chats.note(channel.id, user.id, note_pk)
        if note is None:
            raise NotFound(f"The chat with {user.user_id} has no note {note_pk}")
        await self.session.delete(note)

    async def _require_chat(self, channel: Channel, user: User) -> None:
        """A chat exists once the user added the account (blocked ones keep theirs)."""
        if await self.users.friendship(channel.id, user.id) is None:
            raise Conflict(f"User {user.user_id} has never added channel {channel.channel_id}")
