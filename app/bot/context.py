"""What a handler gets as `ctx`: the event and the shortest ways to answer it."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from linebot.v3.messaging import (
    AsyncMessagingApi,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import Event, GroupSource, RoomSource, Source, UserSource

from app.bot.inject import MISSING

if TYPE_CHECKING:
    from app.bot.bot import Bot

MessageLike: TypeAlias = str | Message


def as_messages(messages: tuple[MessageLike, ...]) -> list[Message]:
    """Plain strings become text messages; SDK message objects pass through untouched."""
    out: list[Message] = []
    for message in messages:
        if isinstance(message, str):
            out.append(TextMessage(text=message))
        elif isinstance(message, Message):
            out.append(message)
        else:
            raise TypeError(f"not a message: {message!r} (a str or a linebot.v3.messaging.Message)")
    return out


@dataclass
class Context:
    event: Event
    bot: "Bot"
    # What middlewares and filters provided; handlers receive entries by parameter name.
    data: dict[str, Any] = field(default_factory=dict)
    # Set by reply(): a middleware can answer what no handler did.
    replied: bool = False

    BUILTINS = frozenset({"ctx", "context", "event", "bot", "api"})

    def builtin(self, name: str) -> Any:
        if name in ("ctx", "context"):
            return self
        if name == "event":
            return self.event
        if name == "bot":
            return self.bot
        if name == "api":  # only built on demand: it opens an HTTP session
            return self.api
        return MISSING

    @property
    def api(self) -> AsyncMessagingApi:
        return self.bot.api

    @property
    def source(self) -> Source | None:
        return getattr(self.event, "source", None)

    @property
    def user_id(self) -> str | None:
        return getattr(self.source, "user_id", None)

    @property
    def chat_id(self) -> str | None:
        """Where the event happened and where a push goes: the group, the room or the user."""
        source = self.source
        if isinstance(source, GroupSource):
            return str(source.group_id)
        if isinstance(source, RoomSource):
            return str(source.room_id)
        if isinstance(source, UserSource):
            return str(source.user_id)
        return None

    @property
    def reply_token(self) -> str | None:
        return getattr(self.event, "reply_token", None)

    @property
    def webhook_event_id(self) -> str | None:
        return getattr(self.event, "webhook_event_id", None)

    @property
    def is_redelivery(self) -> bool:
        delivery = getattr(self.event, "delivery_context", None)
        return bool(getattr(delivery, "is_redelivery", False))

    async def reply(self, *messages: MessageLike, notification_disabled: bool = False) -> Any:
        """Answers with the event's reply token (once: LINE refuses a token used before)."""
        token = self.reply_token
        if not token:
            raise RuntimeError(f"a {type(self.event).__name__} has no reply token; use push()")
        request = ReplyMessageRequest(
            reply_token=token,
            messages=as_messages(messages),
            notification_disabled=notification_disabled,
        )
        response = await self.api.reply_message(request)
        self.replied = True
        return response

    async def push(
        self,
        *messages: MessageLike,
        notification_disabled: bool = False,
        retry_key: str | None = None,
    ) -> Any:
        """Sends to where the event came from: the user, or the whole group or room."""
        to = self.chat_id
        if to is None:
            raise RuntimeError(f"a {type(self.event).__name__} has no source to push to")
        request = PushMessageRequest(
            to=to, messages=as_messages(messages), notification_disabled=notification_disabled
        )
        return await self.api.push_message(request, x_line_retry_key=retry_key)

    async def profile(self) -> Any:
        """The sender's profile; in a group or room, their member profile there (which works
        without friendship)."""
        source, user_id = self.source, self.user_id
        if user_id is None:
            raise RuntimeError(f"a {type(self.event).__name__} names no user")
        if isinstance(source, GroupSource):
            return await self.api.get_group_member_profile(source.group_id, user_id)
        if isinstance(source, RoomSource):
            return await self.api.get_room_member_profile(source.room_id, user_id)
        return await self.api.get_profile(user_id)
